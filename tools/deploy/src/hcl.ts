/**
 * HCL text, the native syntax Terraform reads: blocks of attributes and nested blocks. Only what
 * `terraform.ts` writes: strings, numbers, lists of strings, maps of strings and expressions.
 */

/** An expression written as it is, such as `var.folder_id` or a reference to a resource. */
export interface Expression {
  readonly expression: string;
}

export type Value =
  | string
  | number
  | Expression
  | readonly string[]
  | Readonly<Record<string, string>>;

/** A block: `type "label" … { body }`; a body's undefined entries are left out. */
export interface Block {
  readonly type: string;
  readonly labels?: readonly string[];
  readonly body: readonly (Attribute | Block | undefined)[];
}

export type Attribute = readonly [name: string, value: Value | undefined];

export const expression = (text: string): Expression => ({ expression: text });

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * A quoted string that reads back as `text`: quotes and backslashes escaped, control characters
 * as `\uNNNN`, and `${` and `%{` doubled, or Terraform would read a template in a payload.
 */
export function hclString(text: string): string {
  const escaped = text
    .replace(/["\\\n\r\t]/g, (c) => ESCAPES[c] as string)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes.
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/([$%])\{/g, '$1$1{');
  return `"${escaped}"`;
}

function isExpression(value: Value): value is Expression {
  return typeof value === 'object' && 'expression' in value;
}

function valueText(value: Value, indent: string): string {
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number') return String(value);
  if (isExpression(value)) return value.expression;
  if (Array.isArray(value)) return `[${(value as readonly string[]).map(hclString).join(', ')}]`;
  const entries = Object.entries(value as Record<string, string>);
  if (entries.length === 0) return '{}';
  const inner = entries.map(([k, v]) => `${indent}  ${hclString(k)} = ${hclString(v)}\n`);
  return `{\n${inner.join('')}${indent}}`;
}

const isBlock = (entry: Attribute | Block): entry is Block => !Array.isArray(entry);

/** The block as HCL text, indented two spaces a level. */
export function blockText(block: Block, indent = ''): string {
  const head = [block.type, ...(block.labels ?? []).map(hclString)].join(' ');
  const lines = block.body.flatMap((entry) => {
    if (entry === undefined) return [];
    if (isBlock(entry)) return [blockText(entry, `${indent}  `)];
    const [name, value] = entry;
    return value === undefined ? [] : [`${indent}  ${name} = ${valueText(value, `${indent}  `)}\n`];
  });
  return `${indent}${head} {\n${lines.join('')}${indent}}\n`;
}
