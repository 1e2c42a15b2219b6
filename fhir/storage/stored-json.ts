// The SQL expression giving a stored resource's JSON text with `resourceType` first again (jsonb keeps
// keys in its own order), so that reads can send the text as it comes without parsing it.

export function storedJson(alias?: string): string {
  const col = (name: string) => (alias ? `${alias}.${name}` : name);
  return `'{"resourceType":' || to_json(${col('resource_type')})::text || ',' || substr((${col('content')} - 'resourceType')::text, 2)`;
}
