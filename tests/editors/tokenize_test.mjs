// Tokenises fundcheck rule files with the TextMate grammar in editors/vscode the way VS Code does
// (vscode-textmate with the Oniguruma regex engine). Fails on a regex Oniguruma cannot compile,
// an include that names no rule, a VS Code package that points at a missing file, a token of a
// valid rule file that is left in no scope or marked invalid, and a construct that does not get
// the scope it should.
//
// Usage: node tokenize_test.mjs REPOSITORY_ROOT DIR_WITH_NODE_MODULES

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [root, modules] = process.argv.slice(2);
if (!root || !modules) {
  console.error('usage: node tokenize_test.mjs REPOSITORY_ROOT DIR_WITH_NODE_MODULES');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), 'package.json'));
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const failures = [];
const fail = (message) => failures.push(message);

// ----- the VS Code package -----

const extension = path.join(root, 'editors', 'vscode');
const manifest = JSON.parse(fs.readFileSync(path.join(extension, 'package.json'), 'utf8'));
const languages = manifest.contributes?.languages ?? [];
const grammars = manifest.contributes?.grammars ?? [];
if (languages.length !== 1 || !languages[0].extensions?.includes('.rules')) {
  fail('package.json: one language for *.rules files expected');
}
for (const language of languages) {
  const configuration = path.join(extension, language.configuration ?? '');
  if (!fs.existsSync(configuration)) {
    fail(`package.json: language configuration ${language.configuration} does not exist`);
  } else {
    const config = JSON.parse(fs.readFileSync(configuration, 'utf8'));
    if (config.comments?.lineComment !== '#') fail('language-configuration.json: line comments start with #');
  }
}
if (grammars.length !== 1 || grammars[0].scopeName !== 'source.fundcheck') {
  fail('package.json: one grammar with scope source.fundcheck expected');
}
const grammarPath = path.join(extension, grammars[0]?.path ?? 'missing');
const grammarText = fs.readFileSync(grammarPath, 'utf8');
const rawGrammar = JSON.parse(grammarText);

// ----- every regex compiles, every include resolves -----

const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
let regexCount = 0;
const walk = (node, where) => {
  if (Array.isArray(node)) {
    node.forEach((child, i) => walk(child, `${where}[${i}]`));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (['match', 'begin', 'end', 'while'].includes(key) && typeof value === 'string') {
      ++regexCount;
      try {
        new oniguruma.OnigScanner([value]).dispose();
      } catch (error) {
        fail(`${where}.${key}: invalid regex ${JSON.stringify(value)}: ${error.message ?? error}`);
      }
    }
    if (key === 'include' && typeof value === 'string' && value.startsWith('#')) {
      if (!(value.slice(1) in (rawGrammar.repository ?? {}))) fail(`${where}: include ${value} names no rule`);
    }
    walk(value, `${where}.${key}`);
  }
};
walk(rawGrammar, 'grammar');
if (regexCount < 20) fail(`only ${regexCount} regexes found in the grammar`);

function report() {
  if (failures.length === 0) return;
  for (const f of failures.slice(0, 50)) console.error(`FAIL ${f}`);
  if (failures.length > 50) console.error(`... and ${failures.length - 50} more`);
  process.exit(1);
}
report();  // tokenising with a broken grammar would only fail less clearly

// ----- tokenising -----

const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (text) => new oniguruma.OnigString(text),
  }),
  loadGrammar: async (scopeName) =>
    scopeName === 'source.fundcheck' ? vsctm.parseRawGrammar(grammarText, grammarPath) : null,
});
const grammar = await registry.loadGrammar('source.fundcheck');

// [{line, column, text, scopes}] for every token of `text`.
function tokenise(text) {
  const tokens = [];
  let stack = vsctm.INITIAL;
  text.split(/\r?\n/).forEach((line, index) => {
    const result = grammar.tokenizeLine(line, stack, 1000);
    if (result.stoppedEarly) fail(`tokenising stopped early on line ${index + 1}: ${line}`);
    for (const token of result.tokens) {
      tokens.push({
        line: index + 1,
        column: token.startIndex + 1,
        text: line.slice(token.startIndex, token.endIndex),
        scopes: token.scopes,
      });
    }
    stack = result.ruleStack;
  });
  return tokens;
}

// Valid rule files: the shipped ones, the benchmark's, the formatter's corpus (inputs and their
// formatted forms) and the rule-set test cases. (tests/golden/diagnostics holds invalid ones.)
function ruleFiles() {
  const files = [];
  const add = (dir, accept) => {
    const full = path.join(root, dir);
    if (!fs.existsSync(full)) return;
    for (const entry of fs.readdirSync(full, { recursive: true })) {
      const file = path.join(full, entry.toString());
      if (fs.statSync(file).isFile() && accept(file)) files.push(file);
    }
  };
  add('rules', (f) => f.endsWith('.rules'));
  add('bench', (f) => f.endsWith('.rules'));
  add('tests/golden/fmt', (f) => f.endsWith('.rules') || path.basename(f) === 'stdout');
  add('tests/golden/rules', (f) => f.endsWith('.rules') && !f.includes(`${path.sep}type-errors${path.sep}`));
  return files.sort();
}

const files = ruleFiles();
if (files.length < 20) fail(`only ${files.length} rule files found under ${root}`);
let tokenCount = 0;
for (const file of files) {
  const name = path.relative(root, file);
  for (const token of tokenise(fs.readFileSync(file, 'utf8'))) {
    ++tokenCount;
    if (/^\s*$/u.test(token.text)) continue;
    const at = `${name}:${token.line}:${token.column}`;
    if (token.scopes.length < 2) fail(`${at}: '${token.text}' is in no scope but ${token.scopes.join(' ')}`);
    const invalid = token.scopes.find((s) => s.startsWith('invalid'));
    if (invalid) fail(`${at}: '${token.text}' is marked ${invalid}`);
  }
}

// ----- what gets which scope -----

const sample = [
  '## The key. # not a second comment',
  'param key = 0.3117 # a comment',
  'columns national, region',
  'format "fundcheck/allocation@1"',
  'let blokke = [r.id for i in items where i.channel == "block"]',
  'rule KPV-SUM-01 error "heraf-rækker summer \\"til\\" rækken" {',
  '  for item in all_items where count(item.subitems) > 0 and not present(item.æble)',
  '  when if item.depth >= 1 then true else none',
  '  expect sum(s[col] for s in item.subitems) ~= item[col] or x == y within 0.05 implies z',
  '  message "{item.name} ({col}): {lhs} \\{ikke\\} {if a then "x" else "y"} ≠ {rhs}"',
  '}',
  'rule B-1 warning "w" { expect første_år in years }',
  'rule C.2 note "n" { expect columns != none }',
].join('\n');
const tokens = tokenise(sample);
// Each: the line, the token's text (its first occurrence on the line) and a scope it must have.
const expected = [
  [1, '##', 'punctuation.definition.comment.fundcheck'],
  [1, ' The key. # not a second comment', 'comment.line.double-number-sign.documentation.fundcheck'],
  [2, 'param', 'keyword.other.declaration.fundcheck'],
  [2, 'key', 'entity.name.variable.fundcheck'],
  [2, '=', 'keyword.operator.assignment.fundcheck'],
  [2, '0.3117', 'constant.numeric.decimal.fundcheck'],
  [2, ' a comment', 'comment.line.number-sign.fundcheck'],
  [3, 'columns', 'keyword.other.declaration.fundcheck'],
  [3, 'national', 'variable.other.fundcheck'],
  [3, ',', 'punctuation.separator.comma.fundcheck'],
  [4, 'format', 'keyword.other.declaration.fundcheck'],
  [4, 'fundcheck/allocation@1', 'string.quoted.double.fundcheck'],
  [5, 'let', 'keyword.other.declaration.fundcheck'],
  [5, 'blokke', 'entity.name.variable.fundcheck'],
  [5, 'for', 'keyword.control.loop.fundcheck'],
  [5, 'i', 'variable.parameter.fundcheck'],
  [5, 'items', 'variable.language.fundcheck'],
  [5, 'where', 'keyword.control.loop.fundcheck'],
  [5, 'channel', 'variable.other.member.fundcheck'],
  [5, '==', 'keyword.operator.comparison.fundcheck'],
  [6, 'rule', 'keyword.other.rule.fundcheck'],
  [6, 'KPV-SUM-01', 'entity.name.function.rule-id.fundcheck'],
  [6, 'error', 'storage.modifier.severity.error.fundcheck'],
  [6, 'heraf-rækker summer ', 'string.quoted.double.fundcheck'],
  [6, '\\"', 'constant.character.escape.fundcheck'],
  [6, '{', 'punctuation.section.block.begin.fundcheck'],
  [7, 'count', 'support.function.builtin.fundcheck'],
  [7, 'and', 'keyword.operator.logical.fundcheck'],
  [7, 'not', 'keyword.operator.logical.fundcheck'],
  [7, 'æble', 'variable.other.member.fundcheck'],
  [8, 'when', 'keyword.control.clause.fundcheck'],
  [8, 'if', 'keyword.control.conditional.fundcheck'],
  [8, 'true', 'constant.language.fundcheck'],
  [8, 'none', 'constant.language.fundcheck'],
  [9, 'expect', 'keyword.control.clause.fundcheck'],
  [9, 'sum', 'support.function.builtin.fundcheck'],
  [9, '~=', 'keyword.operator.comparison.approximate.fundcheck'],
  [9, 'within', 'keyword.operator.tolerance.fundcheck'],
  [9, 'implies', 'keyword.operator.logical.fundcheck'],
  [10, 'message', 'keyword.other.message.fundcheck'],
  [10, '{', 'punctuation.section.interpolation.begin.fundcheck'],
  [10, 'item', 'meta.interpolation.fundcheck'],
  [10, 'name', 'variable.other.member.fundcheck'],
  [10, ' (', 'string.quoted.double.message.fundcheck'],
  [10, 'lhs', 'variable.language.fundcheck'],
  [10, '\\{', 'constant.character.escape.fundcheck'],
  [10, 'x', 'string.quoted.double.fundcheck'],
  [10, ' ≠ ', 'string.quoted.double.message.fundcheck'],
  [11, '}', 'punctuation.section.block.end.fundcheck'],
  [12, 'warning', 'storage.modifier.severity.warning.fundcheck'],
  [12, 'første_år', 'variable.other.fundcheck'],
  [12, 'in', 'keyword.operator.membership.fundcheck'],
  [13, 'C.2', 'entity.name.function.rule-id.fundcheck'],
  [13, 'note', 'storage.modifier.severity.note.fundcheck'],
  [13, 'columns', 'variable.language.fundcheck'],
];
for (const [line, text, scope] of expected) {
  const token = tokens.find((t) => t.line === line && t.text === text);
  if (!token) {
    const onLine = tokens.filter((t) => t.line === line).map((t) => `'${t.text}'`).join(' ');
    fail(`sample line ${line}: no token '${text}' (tokens: ${onLine})`);
  } else if (!token.scopes.includes(scope)) {
    fail(`sample line ${line}: '${text}' has scopes ${token.scopes.join(' ')}, not ${scope}`);
  }
}
// Invalid text is shown as such.
const broken = tokenise('let x = "a \\q b" $ 1\nrule R error "t" { message "a } b" }');
for (const [text, scope] of [['\\q', 'invalid.illegal.escape.fundcheck'], ['$', 'invalid.illegal.character.fundcheck'],
                             ['}', 'invalid.illegal.unmatched-brace.fundcheck']]) {
  if (!broken.some((t) => t.text === text && t.scopes.includes(scope))) fail(`'${text}' is not marked ${scope}`);
}

report();
console.log(`ok: ${regexCount} regexes compile; ${files.length} rule files, ${tokenCount} tokens, all in a scope; ` +
            `${expected.length} expected scopes`);
