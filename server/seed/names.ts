// Chinese person names for the demo, with their Hanyu Pinyin romanisation.
//
// Convention (documented for the rest of Open HIS): a person carries two HumanName entries,
// both `use: 'official'`, told apart by the ISO 21090 name-representation extension
// (http://hl7.org/fhir/R4/extension-iso21090-en-representation.html, codes from
// http://hl7.org/fhir/R4/valueset-name-v3-representation.html):
//   - IDE (ideographic): text 张伟, family 张, given [伟] — the legal name on the ID card;
//   - ABC (alphabetic):  text "Zhang Wei", family Zhang, given [Wei] — Hanyu Pinyin per
//     GB/T 28039-2011 《中国人名汉语拼音字母拼写规则》: surname first, given-name syllables
//     joined, an apostrophe before a syllable starting with a, o or e, no tone marks.
//     Searching and sorting by the ABC entry works for staff and systems that cannot type Hanzi.
// This is the pattern JP Core uses for kanji/kana/romaji names; `use: 'usual'` is left for
// nicknames and other names a person is known by, which is what R4 defines it for.
import type { Prng } from './prng.ts';
import type { Extension } from './fhir.ts';
import { SYSTEMS } from './systems.ts';

export interface ChineseName { family: string; given: string; familyPinyin: string; givenPinyin: string }
export type Gender = 'male' | 'female';

// The commonest surnames (Ministry of Public Security household-register statistics).
const surnames: ReadonlyArray<readonly [string, string]> = [
  ['王', 'Wang'], ['李', 'Li'], ['张', 'Zhang'], ['刘', 'Liu'], ['陈', 'Chen'], ['杨', 'Yang'],
  ['黄', 'Huang'], ['赵', 'Zhao'], ['吴', 'Wu'], ['周', 'Zhou'], ['徐', 'Xu'], ['孙', 'Sun'],
  ['马', 'Ma'], ['朱', 'Zhu'], ['胡', 'Hu'], ['郭', 'Guo'], ['何', 'He'], ['林', 'Lin'],
  ['高', 'Gao'], ['罗', 'Luo'], ['郑', 'Zheng'], ['梁', 'Liang'], ['谢', 'Xie'], ['宋', 'Song'],
  ['唐', 'Tang'], ['韩', 'Han'], ['冯', 'Feng'], ['邓', 'Deng'], ['曹', 'Cao'], ['彭', 'Peng'],
  ['曾', 'Zeng'], ['沈', 'Shen'], ['叶', 'Ye'], ['蒋', 'Jiang'], ['陆', 'Lu'], ['钱', 'Qian'],
];

const maleGiven: ReadonlyArray<readonly [string, string]> = [
  ['伟', 'wei'], ['强', 'qiang'], ['磊', 'lei'], ['军', 'jun'], ['勇', 'yong'], ['杰', 'jie'],
  ['涛', 'tao'], ['斌', 'bin'], ['超', 'chao'], ['明', 'ming'], ['刚', 'gang'], ['平', 'ping'],
  ['建', 'jian'], ['国', 'guo'], ['志', 'zhi'], ['文', 'wen'], ['海', 'hai'], ['浩', 'hao'],
  ['宇', 'yu'], ['俊', 'jun'], ['鹏', 'peng'], ['辉', 'hui'], ['峰', 'feng'], ['华', 'hua'],
  ['东', 'dong'], ['林', 'lin'], ['博', 'bo'], ['晨', 'chen'], ['轩', 'xuan'], ['昊', 'hao'],
];

const femaleGiven: ReadonlyArray<readonly [string, string]> = [
  ['芳', 'fang'], ['娜', 'na'], ['敏', 'min'], ['静', 'jing'], ['丽', 'li'], ['艳', 'yan'],
  ['娟', 'juan'], ['霞', 'xia'], ['秀', 'xiu'], ['英', 'ying'], ['玲', 'ling'], ['红', 'hong'],
  ['婷', 'ting'], ['雪', 'xue'], ['琳', 'lin'], ['慧', 'hui'], ['佳', 'jia'], ['梅', 'mei'],
  ['颖', 'ying'], ['洁', 'jie'], ['晶', 'jing'], ['欣', 'xin'], ['怡', 'yi'], ['萱', 'xuan'],
  ['雨', 'yu'], ['琪', 'qi'], ['桂', 'gui'], ['兰', 'lan'], ['燕', 'yan'], ['倩', 'qian'],
];

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Join given-name syllables per GB/T 28039: apostrophe before a, o, e after the first. */
export function joinPinyin(syllables: readonly string[]): string {
  return capitalise(syllables.map((s, i) => (i > 0 && /^[aoe]/.test(s) ? `'${s}` : s)).join(''));
}

/** A name not in `taken` (keys are the Chinese full name); one or two given characters. */
export function makeName(prng: Prng, gender: Gender, taken: Set<string>): ChineseName {
  const pool = gender === 'male' ? maleGiven : femaleGiven;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const [family, familyPinyin] = prng.pick(surnames);
    const length = prng.chance(0.3) ? 1 : 2;
    const chars = Array.from({ length }, () => prng.pick(pool));
    if (length === 2 && chars[0]?.[0] === chars[1]?.[0]) continue;
    const given = chars.map((c) => c[0]).join('');
    if (taken.has(family + given)) continue;
    taken.add(family + given);
    return { family, given, familyPinyin, givenPinyin: joinPinyin(chars.map((c) => c[1])) };
  }
  throw new Error('ran out of demo names');
}

function representation(code: 'IDE' | 'ABC'): Extension {
  return { url: SYSTEMS.nameRepresentationExtension, valueCode: code };
}

/** The two HumanName entries of the convention above. */
export function humanNames(name: ChineseName): Record<string, unknown>[] {
  return [
    {
      extension: [representation('IDE')],
      use: 'official',
      text: name.family + name.given,
      family: name.family,
      given: [name.given],
    },
    {
      extension: [representation('ABC')],
      use: 'official',
      text: `${name.familyPinyin} ${name.givenPinyin}`,
      family: name.familyPinyin,
      given: [name.givenPinyin],
    },
  ];
}

export function fullName(name: ChineseName): string {
  return name.family + name.given;
}
