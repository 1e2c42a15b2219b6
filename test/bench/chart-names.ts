// Names for bench:chart's synthetic patients: Chinese names (a common surname, one or two given
// characters) and Latin names built from syllables, so that family names are many and a name
// prefix selects a realistic, small share of 100 k patients.

export interface PersonName { text: string; family: string; given: string[] }

/** The most common Chinese surnames (together about 70 % of the population), then rarer ones. */
const surnames = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const givenChars = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰华建国文玉红梅志海波鹏宇浩然子涵欣怡思雨晨轩嘉琪佳一诺天睿博俊豪慧雪琳晓东立新春燕'];

const onsets = ['b', 'br', 'c', 'ch', 'd', 'f', 'g', 'gr', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 'st', 't', 'v', 'w', 'z'];
const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou'];
const codas = ['', '', 'n', 'r', 'l', 's', 'th', 'ck', 'm', 'rd', 'nd'];
const latinGiven = ['Anna', 'David', 'Maria', 'James', 'Sofia', 'Lucas', 'Emma', 'Noah', 'Olivia', 'Liam', 'Mia', 'Ethan', 'Chloe', 'Daniel', 'Laura',
  'Pedro', 'Elena', 'Marco', 'Yuki', 'Hana', 'Omar', 'Leila', 'Ivan', 'Nadia', 'Tomas', 'Ines', 'Felix', 'Clara', 'Hugo', 'Alice'];

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

export function chineseName(rnd: () => number): PersonName {
  // Frequency falls off along the list, as it does in the population.
  const family = surnames[Math.floor(rnd() * rnd() * surnames.length)]!;
  const given = pick(rnd, givenChars) + (rnd() < 0.7 ? pick(rnd, givenChars) : '');
  return { text: family + given, family, given: [given] };
}

export function latinName(rnd: () => number): PersonName {
  const syllables = 2 + Math.floor(rnd() * 2);
  let family = '';
  for (let i = 0; i < syllables; i++) family += pick(rnd, onsets) + pick(rnd, vowels) + (i === syllables - 1 ? pick(rnd, codas) : '');
  family = family[0]!.toUpperCase() + family.slice(1);
  const given = pick(rnd, latinGiven);
  return { text: `${given} ${family}`, family, given: [given] };
}
