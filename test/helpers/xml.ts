/**
 * A strict reader of the XML subset reports are written in (a declaration, elements, attributes, text,
 * the five predefined entities and numeric character references; no DTD, comments or CDATA). It throws
 * on anything a conforming parser would refuse there: an unescaped `<` or `&`, an unclosed or
 * mismatched element, a duplicate attribute, a character XML 1.0 cannot hold. What CI servers parse,
 * this parses the same; no XML library is a dependency of the project.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = '[A-Za-z_][\\w.-]*';
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding characters XML forbids is the point
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function decode(raw: string, where: string): string {
  if (NOT_XML.test(raw)) throw new Error(`A character XML cannot hold in ${where}`);
  if (/<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);)/.test(raw))
    throw new Error(`Unescaped < or & in ${where}: ${raw.slice(0, 80)}`);
  return raw.replace(/&(#x[\da-fA-F]+|#\d+|\w+);/g, (_, ref: string) =>
    ref.startsWith('#x')
      ? String.fromCodePoint(Number.parseInt(ref.slice(2), 16))
      : ref.startsWith('#')
        ? String.fromCodePoint(Number(ref.slice(1)))
        : (ENTITIES[ref] as string),
  );
}

function parseAttributes(raw: string, element: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  const pattern = new RegExp(`\\s+(${NAME})="([^"]*)"`, 'gy');
  let rest = raw;
  for (let match = pattern.exec(raw); match; match = pattern.exec(raw)) {
    const [, name, value] = match as unknown as [string, string, string];
    if (name in attributes) throw new Error(`Duplicate attribute ${name} on <${element}>`);
    attributes[name] = decode(value, `attribute ${name} of <${element}>`);
    rest = raw.slice(pattern.lastIndex);
  }
  if (rest.trim() !== '') throw new Error(`Malformed attributes on <${element}>: ${rest.slice(0, 80)}`);
  return attributes;
}

/** The document's root element; throws with the first problem found. */
export function parseXml(text: string): XmlElement {
  const body = text.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/, '');
  const tag = new RegExp(`<(/?)(${NAME})((?:\\s+${NAME}="[^"]*")*)\\s*(/?)>`, 'y');
  const stack: XmlElement[] = [{ name: '#document', attributes: {}, children: [], text: '' }];
  let at = 0;
  while (at < body.length) {
    const next = body.indexOf('<', at);
    const top = stack.at(-1) as XmlElement;
    const textEnd = next === -1 ? body.length : next;
    top.text += decode(body.slice(at, textEnd), `the text of <${top.name}>`);
    if (next === -1) break;
    tag.lastIndex = next;
    const match = tag.exec(body);
    if (!match) throw new Error(`Malformed tag at ${next}: ${body.slice(next, next + 80)}`);
    const [whole, closing, name, attributes, selfClosing] = match as unknown as string[];
    if (closing) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const element: XmlElement = {
        name: name as string,
        attributes: parseAttributes(attributes ?? '', name as string),
        children: [],
        text: '',
      };
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    }
    at = next + (whole as string).length;
  }
  const [document] = stack;
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)?.name}> is never closed`);
  if (document?.children.length !== 1 || document.text.trim() !== '') throw new Error('Not one root element');
  return document.children[0] as XmlElement;
}

/** Every element named `name` under `root`, depth first. */
export function elementsNamed(root: XmlElement, name: string): XmlElement[] {
  return [
    ...(root.name === name ? [root] : []),
    ...root.children.flatMap((child) => elementsNamed(child, name)),
  ];
}
