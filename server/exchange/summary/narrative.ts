// Section narratives (http://hl7.org/fhir/R4/narrative.html): an XHTML table per section, every
// value escaped, so that a receiving system can show the document without our code.
interface Json { [key: string]: any }

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The text of a CodeableConcept: its text, else its first coding's display or code. */
export function conceptText(concept: Json | undefined): string {
  if (!concept) return '';
  return concept.text ?? concept.coding?.[0]?.display ?? concept.coding?.[0]?.code ?? '';
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): { status: 'generated'; div: string } {
  const head = `<tr>${headers.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('');
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><table><thead>${head}</thead><tbody>${body}</tbody></table></div>` };
}

export function emptyNarrative(text: string): { status: 'generated'; div: string } {
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${escapeXml(text)}</p></div>` };
}
