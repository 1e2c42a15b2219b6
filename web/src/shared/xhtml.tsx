// The narrative of a note section (Composition.section.text.div, FHIR R4 Narrative: limited XHTML) to
// React elements, safely: the div is parsed by DOMParser (which runs nothing) and rebuilt from an
// allow-list of plain formatting elements with no attributes, so no script, handler, style or link
// from a stored note reaches the page. Anything else keeps only its text.
import { createElement, type ReactNode } from 'react';

const ALLOWED = new Set(['p', 'br', 'b', 'strong', 'i', 'em', 'u', 'sub', 'sup', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'span', 'div', 'h3', 'h4', 'h5', 'h6', 'pre', 'code']);
const DROPPED = new Set(['script', 'style', 'iframe', 'object', 'embed', 'template', 'noscript']);
const VOID = new Set(['br']);

function convert(node: Node, key: string): ReactNode {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const tag = (node as Element).localName.toLowerCase();
  if (DROPPED.has(tag)) return null;
  const children = Array.from(node.childNodes, (child, i) => convert(child, `${key}.${i}`));
  if (!ALLOWED.has(tag)) return children;
  return VOID.has(tag) ? createElement(tag, { key }) : createElement(tag, { key }, ...children);
}

function parse(div: string): Element {
  return new DOMParser().parseFromString(div, 'text/html').body;
}

export function Narrative({ div }: { div: string | undefined }) {
  if (!div) return null;
  const body = parse(div);
  return <div className="narrative">{Array.from(body.childNodes, (child, i) => convert(child, String(i)))}</div>;
}

/** The narrative as plain text for the editor: one line per paragraph / line break. */
export function narrativeToText(div: string | undefined): string {
  if (!div) return '';
  const body = parse(div);
  for (const br of Array.from(body.querySelectorAll('br'))) br.replaceWith('\n');
  const blocks = Array.from(body.querySelectorAll('p, li, tr, h3, h4, h5, h6'));
  if (blocks.length === 0) return (body.textContent ?? '').trim();
  return blocks.map((b) => (b.textContent ?? '').trim()).join('\n');
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Plain text to a Narrative div (one <p> per line), as FHIR requires the XHTML namespace. */
export function textToNarrative(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return `<div xmlns="http://www.w3.org/1999/xhtml">${lines.map((l) => `<p>${escape(l)}</p>`).join('')}</div>`;
}
