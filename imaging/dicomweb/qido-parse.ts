// QIDO-RS query parameters (PS3.18 §8.3.4) parsed into a query before any SQL is written: matching
// keys with their kind of matching (PS3.4 §C.2.2.2), include fields, limit and offset.
import { tagOfAttribute, vrOf } from '../dicom/dictionary.ts';
import { DicomWebError } from './errors.ts';

export type QidoLevel = 'study' | 'series' | 'instance';

export type Matcher =
  | { kind: 'uids'; values: string[] }
  | { kind: 'text'; value: string; wildcard: boolean }
  | { kind: 'range'; from?: string; to?: string }
  | { kind: 'number'; value: number };

export interface MatchKey {
  tag: string;
  vr: string;
  matcher: Matcher;
}

export interface QidoQuery {
  level: QidoLevel;
  /** UIDs fixed by the path (/studies/{s}/series/{se}/instances). */
  studyUid?: string;
  seriesUid?: string;
  keys: MatchKey[];
  includeAll: boolean;
  includeFields: string[];
  limit: number;
  offset: number;
  fuzzy: boolean;
}

export const MAX_LIMIT = 5000;
const DEFAULT_LIMIT = 1000;
const dateVrs = new Set(['DA', 'TM', 'DT']);

function matcherFor(tag: string, vr: string, raw: string): Matcher {
  if (vr === 'UI') {
    // PS3.18 §8.3.4.1: a UID list is separated by commas or backslashes.
    const values = raw.split(/[\\,]/).map((v) => v.trim()).filter(Boolean);
    if (values.length === 0 || values.some((v) => !/^[0-9.]{1,64}$/.test(v))) throw new DicomWebError(400, `${tag} is not a UID or list of UIDs`);
    return { kind: 'uids', values };
  }
  if (dateVrs.has(vr)) {
    const pattern = vr === 'DA' ? /^\d{8}$/ : vr === 'TM' ? /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/ : /^\d{4,14}(\.\d{1,6})?([+-]\d{4})?$/;
    const dash = raw.indexOf('-', vr === 'DT' ? 4 : 0);
    const [from, to] = dash >= 0 ? [raw.slice(0, dash), raw.slice(dash + 1)] : [raw, raw];
    for (const v of [from, to]) if (v !== '' && !pattern.test(v)) throw new DicomWebError(400, `${tag} is not a ${vr} value or range (PS3.4 §C.2.2.2.5)`);
    if (from === '' && to === '') throw new DicomWebError(400, `${tag} has an empty range`);
    return { kind: 'range', from: from || undefined, to: to || undefined };
  }
  if (['IS', 'US', 'SS', 'UL', 'SL'].includes(vr)) {
    const n = Number(raw);
    if (!Number.isInteger(n)) throw new DicomWebError(400, `${tag} needs an integer`);
    return { kind: 'number', value: n };
  }
  return { kind: 'text', value: raw, wildcard: /[*?]/.test(raw) };
}

function params(query: Record<string, string | string[] | undefined>): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([name, v]);
  }
  return out;
}

export function parseQido(level: QidoLevel, query: Record<string, string | string[] | undefined>, path: { studyUid?: string; seriesUid?: string } = {}): QidoQuery {
  const q: QidoQuery = { level, ...path, keys: [], includeAll: false, includeFields: [], limit: DEFAULT_LIMIT, offset: 0, fuzzy: false };
  for (const [name, value] of params(query)) {
    if (name === 'includefield') {
      for (const field of value.split(',').map((f) => f.trim()).filter(Boolean)) {
        if (field === 'all') q.includeAll = true;
        else {
          const tag = tagOfAttribute(field);
          if (!tag) throw new DicomWebError(400, `includefield names an unknown attribute: ${field.slice(0, 64)}`);
          q.includeFields.push(tag);
        }
      }
    } else if (name === 'limit' || name === 'offset') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new DicomWebError(400, `${name} must be a whole number`);
      if (name === 'limit') q.limit = Math.min(n === 0 ? DEFAULT_LIMIT : n, MAX_LIMIT);
      else q.offset = n;
    } else if (name === 'fuzzymatching') {
      if (value !== 'true' && value !== 'false') throw new DicomWebError(400, 'fuzzymatching must be true or false');
      q.fuzzy = value === 'true';
    } else {
      const tag = tagOfAttribute(name);
      if (!tag) throw new DicomWebError(400, `Unknown query parameter or attribute: ${name.slice(0, 64)}`);
      const vr = vrOf(tag);
      if (vr === 'SQ' || ['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'UN'].includes(vr)) throw new DicomWebError(400, `${name.slice(0, 64)} cannot be a matching key`);
      // An empty value asks for the attribute to be returned (universal matching, PS3.4 §C.2.2.2.3).
      if (value === '' || value === '*') {
        q.includeFields.push(tag);
        continue;
      }
      q.keys.push({ tag, vr, matcher: matcherFor(tag, vr, value) });
    }
  }
  return q;
}
