// A client_credentials token from a running server (RFC 6749 §4.4), for the command-line tools that
// go through it (import, audit:verify) with the bootstrap system client.
export async function clientCredentialsToken(serverUrl: string, client: { id: string; secret: string }, scope = 'system/*.*'): Promise<string> {
  const res = await fetch(`${serverUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  const body = await res.json().catch(() => ({})) as { access_token?: string; error_description?: string };
  if (!body.access_token) throw new Error(`The server at ${serverUrl} refused client ${client.id}: HTTP ${res.status} ${body.error_description ?? ''}`.trim());
  return body.access_token;
}
