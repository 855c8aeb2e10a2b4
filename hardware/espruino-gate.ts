// The compatibility gate: parses a firmware bundle and rejects every construct
// and global the Espruino interpreter lacks (hardware/docs/board-facts.md, and
// hardware/espruino-lacks.ts for the measured list). The interpreter only finds a
// syntax error when it reaches the line, so without this gate a bundle can
// flash fine and fail hours later on a rarely taken branch.
import { parse, type Node } from 'acorn';
import { SourceMap } from 'node:module';
import { relative, resolve, dirname } from 'node:path';
import { GATED_METHOD_NAMES, HELPER_NAMES, MISSING_GLOBALS, MISSING_STATICS } from './espruino-lacks.ts';

export interface GateProblem {
  rule: string;
  message: string;
  /** Position in the gated code, 1-based line and 0-based column as acorn reports them. */
  line: number;
  column: number;
  /** The TypeScript source position, when a source map was given. */
  source?: { file: string; line: number; column: number };
}

export interface GateOptions {
  /** esbuild's source map for the code (JSON text or object). */
  sourceMap?: string | object;
  /** Where the bundle would be written; source map paths are relative to its folder. */
  bundlePath?: string;
  /** Source paths are reported relative to this folder (default: the working directory). */
  root?: string;
}

// Any node: acorn's types are too narrow for a walker that looks at every field.
type AnyNode = Node & Record<string, any>;

const SYNC_ARRAY_CALLBACKS = new Set(['map', 'filter', 'find', 'findIndex', 'some', 'every', 'forEach', 'reduce', 'sort']);
const ERROR_CLASSES = new Set(['Error', 'TypeError', 'SyntaxError', 'ReferenceError', 'InternalError']);
const REGEX_FLAGS_OK = /^[gim]*$/;
const gatedMethods = new Set<string>(GATED_METHOD_NAMES);
const helperNames = new Set<string>(HELPER_NAMES);
const missingGlobals = new Set<string>(MISSING_GLOBALS);

/** Checks `code` and returns every problem found (empty when the interpreter can run it). */
export function gate(code: string, options: GateOptions = {}): GateProblem[] {
  let program: AnyNode;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'script', locations: true, allowHashBang: true }) as AnyNode;
  } catch (err) {
    const e = err as { message: string; loc?: { line: number; column: number } };
    return [{ rule: 'parse', message: 'does not parse: ' + e.message, line: e.loc?.line ?? 1, column: e.loc?.column ?? 0 }];
  }
  const problems: GateProblem[] = [];
  const seen = new Set<string>();
  const report = (node: AnyNode, rule: string, message: string) => {
    const key = node.start + ' ' + message;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ rule, message, line: node.loc!.start.line, column: node.loc!.start.column });
  };
  const declared = collectDeclaredNames(program);
  walk(program, [], (node, ancestors) => checkNode(node, ancestors, declared, report));
  checkHoisting(program, report);
  checkStaticInheritance(program, report);
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  if (options.sourceMap) mapToSource(problems, options);
  return problems;
}

type Report = (node: AnyNode, rule: string, message: string) => void;

function checkNode(node: AnyNode, ancestors: AnyNode[], declared: Set<string>, report: Report): void {
  const parent = ancestors[ancestors.length - 1];
  switch (node.type) {
    case 'AssignmentPattern':
      if (isFunction(parent) || parent?.type === 'ObjectPattern' || parent?.type === 'ArrayPattern' || parent?.type === 'Property') {
        report(node, 'default-param', 'default parameter values are a SyntaxError; check for undefined in the body');
      }
      return;
    case 'ObjectPattern':
    case 'ArrayPattern':
      if (parent?.type !== 'ObjectPattern' && parent?.type !== 'ArrayPattern' && parent?.type !== 'Property' && parent?.type !== 'AssignmentPattern') {
        report(node, 'destructuring', 'destructuring is not supported; read the fields one by one');
      }
      return;
    case 'SpreadElement':
      report(node, 'spread', 'spread (...) is not supported; use apply, concat or Object.assign');
      return;
    case 'RestElement':
      report(node, 'rest', 'rest parameters/elements (...) are not supported; use arguments or slice');
      return;
    case 'TaggedTemplateExpression':
      report(node, 'tagged-template', 'tagged templates are not supported');
      return;
    case 'Property':
    case 'MethodDefinition':
      if (node.computed) report(node, 'computed-key', 'computed property names are not supported; assign obj[key] = value after creating it');
      return;
    case 'PropertyDefinition':
      report(node, 'class-field', 'class fields are not supported; assign in the constructor (useDefineForClassFields: false)');
      return;
    case 'StaticBlock':
      report(node, 'class-field', 'static class blocks are not supported');
      return;
    case 'PrivateIdentifier':
      report(node, 'class-field', 'private class members (#name) are not supported');
      return;
    case 'LabeledStatement':
      report(node, 'label', 'labeled statements (break/continue label) are not supported');
      return;
    case 'ChainExpression':
      report(node, 'optional-chain', 'optional chaining (?.) is not supported');
      return;
    case 'AwaitExpression':
      report(node, 'async', 'await is not supported; use promise.then');
      return;
    case 'YieldExpression':
      return;
    case 'MetaProperty':
      report(node, 'meta-property', `${node.meta.name}.${node.property.name} is not supported`);
      return;
    case 'ImportExpression':
      report(node, 'import', 'dynamic import() is not supported');
      return;
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      if (node.generator) report(node, 'generator', 'generators (function*) are not supported');
      if (node.async) report(node, 'async', 'async functions are not supported; use promise.then');
      return;
    case 'BinaryExpression':
      if (node.operator === '**') report(node, 'exponent', 'the ** operator is not supported; use Math.pow');
      return;
    case 'AssignmentExpression':
      if (node.operator === '**=') report(node, 'exponent', 'the **= operator is not supported; use Math.pow');
      if (node.operator === '||=' || node.operator === '&&=' || node.operator === '??=') {
        report(node, 'logical-assign', `the ${node.operator} operator is a SyntaxError; write a = a || b`);
      }
      if (isLengthMember(node.left)) report(node, 'length-assign', 'assigning arr.length is a TypeError; use splice or a new array');
      return;
    case 'UpdateExpression':
      if (isLengthMember(node.argument)) report(node, 'length-assign', 'changing arr.length is a TypeError; use splice or a new array');
      return;
    case 'Literal':
      if (node.bigint !== undefined) report(node, 'bigint', 'BigInt literals are not supported');
      if (node.regex) checkRegex(node, report);
      if (typeof node.value === 'string') checkLatin1(node, node.value, report);
      return;
    case 'TemplateElement':
      checkLatin1(node, node.value.cooked ?? '', report);
      return;
    case 'ClassDeclaration':
    case 'ClassExpression':
      if (node.superClass?.type === 'Identifier' && ERROR_CLASSES.has(node.superClass.name)) {
        report(node, 'extends-error', `class extends ${node.superClass.name} loses .message; make a plain object or an Error with a code field`);
      }
      return;
    case 'ForStatement':
    case 'ForOfStatement':
    case 'ForInStatement':
      checkLoopClosure(node, report);
      return;
    case 'MemberExpression':
      checkMember(node, parent, report);
      return;
    case 'Identifier':
      if (!isReference(node, parent)) return;
      if (node.name === 'arguments' && nearestFunction(ancestors)?.type === 'ArrowFunctionExpression') {
        report(node, 'arrow-arguments', '`arguments` in an arrow function is the arrow\'s own in Espruino, not the enclosing function\'s: use a regular function or pass the values');
      }
      if (missingGlobals.has(node.name) && !declared.has(node.name)) {
        report(node, 'missing-global', `${node.name} does not exist in Espruino`);
      } else if (helperNames.has(node.name)) {
        report(node, 'helper', `${node.name} is a compiler downlevel helper; it breaks on Espruino (write the subset instead)`);
      }
      return;
  }
}

function checkMember(node: AnyNode, parent: AnyNode | undefined, report: Report): void {
  if (node.computed || node.property.type !== 'Identifier') return;
  const name: string = node.property.name;
  if (node.object.type === 'Identifier') {
    const missing = MISSING_STATICS[node.object.name];
    if (missing?.includes(name)) {
      report(node, 'missing-global', `${node.object.name}.${name} does not exist in Espruino`);
      return;
    }
  }
  const isCall = parent?.type === 'CallExpression' && parent.callee === node;
  if (isCall && gatedMethods.has(name)) {
    report(node, 'missing-method', `.${name}() does not exist in Espruino`);
  }
}

function isLengthMember(node: AnyNode): boolean {
  return node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier' && node.property.name === 'length';
}

// Strings are bytes on a non-Unicode board such as the Pixl.js, and the
// device font is Latin-1: a character above U+00FF cannot be held or shown.
function checkLatin1(node: AnyNode, text: string, report: Report): void {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) {
      report(node, 'non-latin1', `string contains U+${code.toString(16).toUpperCase().padStart(4, '0')}, above Latin-1: a non-Unicode board (Pixl.js) cannot hold it`);
      return;
    }
  }
}

// Measured on 2v29: the regex engine has no ? quantifier, no {n,m}, no
// (?...) groups, no \b or \u escapes, no back-references, and quantifiers on
// groups match once. Most of these fail silently (test() returns false).
function checkRegex(node: AnyNode, report: Report): void {
  const { pattern, flags } = node.regex as { pattern: string; flags: string };
  for (const problem of regexProblems(pattern, flags)) report(node, 'regex', problem);
}

/** What the interpreter's regex engine gets wrong in `pattern` (also used by the simulator's RegExp). */
export function regexProblems(pattern: string, flags: string): string[] {
  const problems = new Set<string>();
  if (!REGEX_FLAGS_OK.test(flags)) problems.add(`regex flag(s) "${flags}" are not supported (only g, i, m)`);
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1];
      if (!inClass && (next === 'b' || next === 'B')) problems.add(`regex /${pattern}/ uses \\${next} (word boundary), which never matches`);
      else if (next === 'u' || next === 'p' || next === 'P' || next === 'k') problems.add(`regex /${pattern}/ uses \\${next}, which is not supported`);
      else if (next >= '1' && next <= '9' && !inClass) problems.add(`regex /${pattern}/ uses a back-reference, which throws`);
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '?') problems.add(`regex /${pattern}/ uses "?" (optional, lazy or group syntax), which does not work`);
    else if (c === '{') problems.add(`regex /${pattern}/ uses a {n,m} quantifier, which never matches`);
    else if (c === ')' && '*+'.includes(pattern[i + 1] ?? '')) problems.add(`regex /${pattern}/ repeats a group, which matches only once`);
  }
  return [...problems];
}

// Espruino has no per-iteration binding: every closure made in the loop sees
// the last value. Callbacks run at once by array methods are safe.
function checkLoopClosure(loop: AnyNode, report: Report): void {
  const decl = loop.type === 'ForStatement' ? loop.init : loop.left;
  if (decl?.type !== 'VariableDeclaration' || decl.kind === 'var') return;
  const names = new Set<string>();
  for (const d of decl.declarations) collectPatternNames(d.id, names);
  walk(loop.body, [], (node, ancestors) => {
    if (!isFunction(node)) return;
    const parent = ancestors[ancestors.length - 1];
    if (parent?.type === 'CallExpression' && parent.callee.type === 'MemberExpression' && !parent.callee.computed && SYNC_ARRAY_CALLBACKS.has(parent.callee.property.name)) {
      return;
    }
    const own = collectDeclaredNames(node);
    for (const name of names) {
      if (!own.has(name) && referencesName(node, name)) {
        report(node, 'loop-closure', `a closure captures loop variable "${name}" of for (${decl.kind} ...); Espruino shares one binding, so it sees the last value: pass it to a function instead`);
        return;
      }
    }
  }, true);
}

// Espruino does not hoist function declarations: a function is defined when
// its statement runs. Flags uses that run before the declaration in the same
// statement list (uses inside nested functions run later, so they are fine).
function checkHoisting(program: AnyNode, report: Report): void {
  walk(program, [], (node) => {
    const list: AnyNode[] | undefined = node.type === 'Program' || node.type === 'BlockStatement' || node.type === 'StaticBlock' ? node.body : node.type === 'SwitchCase' ? node.consequent : undefined;
    if (!list) return;
    list.forEach((stmt, index) => {
      if (stmt.type !== 'FunctionDeclaration') return;
      const name: string = stmt.id.name;
      for (const earlier of list.slice(0, index)) {
        const use = firstEagerReference(earlier, name);
        if (use) {
          report(use, 'hoisting', `function ${name} is used before its declaration (line ${stmt.loc!.start.line}); Espruino does not hoist functions: declare it first`);
          return;
        }
      }
    });
  });
}

function nearestFunction(ancestors: AnyNode[]): AnyNode | undefined {
  for (let i = ancestors.length - 1; i >= 0; i--) if (isFunction(ancestors[i])) return ancestors[i];
  return undefined;
}

// Espruino does not inherit static methods: B.create() fails when only the
// parent class A defines `static create`.
function checkStaticInheritance(program: AnyNode, report: Report): void {
  const classes = new Map<string, { parent?: string; statics: Set<string> }>();
  walk(program, [], (node, ancestors) => {
    if (node.type !== 'ClassDeclaration' && node.type !== 'ClassExpression') return;
    const parent = ancestors[ancestors.length - 1];
    const name: string | undefined = node.id?.name ?? (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier' ? parent.id.name : undefined);
    if (!name) return;
    const statics = new Set<string>();
    for (const m of node.body.body) if (m.static && !m.computed && m.key.type === 'Identifier') statics.add(m.key.name);
    classes.set(name, { parent: node.superClass?.type === 'Identifier' ? node.superClass.name : undefined, statics });
  });
  walk(program, [], (node) => {
    if (node.type !== 'MemberExpression' || node.computed || node.object.type !== 'Identifier' || node.property.type !== 'Identifier') return;
    const own = classes.get(node.object.name);
    const name: string = node.property.name;
    if (!own || own.statics.has(name)) return;
    for (let up = own.parent, seen = 0; up && seen < 20; up = classes.get(up)?.parent, seen++) {
      if (classes.get(up)?.statics.has(name)) {
        report(node, 'static-inherit', `static ${name} is defined on ${up}, not on ${node.object.name}: Espruino does not inherit static methods`);
        return;
      }
    }
  });
}

/** The first reference to `name` in `root` that runs immediately (not inside a nested function), unless shadowed. */
function firstEagerReference(root: AnyNode, name: string): AnyNode | undefined {
  let found: AnyNode | undefined;
  walk(root, [], (node, ancestors) => {
    if (found) return false;
    if (isFunction(node)) return false;
    if ((node.type === 'BlockStatement' || node.type === 'ForStatement' || node.type === 'ForOfStatement' || node.type === 'ForInStatement') && blockDeclares(node, name)) return false;
    if (node.type === 'Identifier' && node.name === name && isReference(node, ancestors[ancestors.length - 1])) found = node;
    return undefined;
  });
  return found;
}

function blockDeclares(node: AnyNode, name: string): boolean {
  const names = new Set<string>();
  const stmts: AnyNode[] = node.type === 'BlockStatement' ? node.body : [node.type === 'ForStatement' ? node.init : node.left].filter(Boolean);
  for (const s of stmts) {
    if (s.type === 'VariableDeclaration' && s.kind !== 'var') s.declarations.forEach((d: AnyNode) => collectPatternNames(d.id, names));
    if ((s.type === 'FunctionDeclaration' || s.type === 'ClassDeclaration') && s.id) names.add(s.id.name);
  }
  return names.has(name);
}

function referencesName(root: AnyNode, name: string): boolean {
  let hit = false;
  walk(root, [], (node, ancestors) => {
    if (hit) return false;
    if (node.type === 'Identifier' && node.name === name && isReference(node, ancestors[ancestors.length - 1])) hit = true;
    return undefined;
  });
  return hit;
}

/** Every name declared anywhere in `root` (params, var/let/const, functions, classes, catch). */
function collectDeclaredNames(root: AnyNode): Set<string> {
  const names = new Set<string>();
  walk(root, [], (node) => {
    if (node.type === 'VariableDeclarator') collectPatternNames(node.id, names);
    else if ((node.type === 'FunctionDeclaration' || node.type === 'ClassDeclaration') && node.id) names.add(node.id.name);
    else if (node.type === 'CatchClause' && node.param) collectPatternNames(node.param, names);
    if (isFunction(node)) node.params.forEach((p: AnyNode) => collectPatternNames(p, names));
    return undefined;
  });
  return names;
}

function collectPatternNames(p: AnyNode | null, out: Set<string>): void {
  if (!p) return;
  if (p.type === 'Identifier') out.add(p.name);
  else if (p.type === 'ObjectPattern') p.properties.forEach((q: AnyNode) => collectPatternNames(q.type === 'Property' ? q.value : q, out));
  else if (p.type === 'ArrayPattern') p.elements.forEach((q: AnyNode | null) => collectPatternNames(q, out));
  else if (p.type === 'RestElement') collectPatternNames(p.argument, out);
  else if (p.type === 'AssignmentPattern') collectPatternNames(p.left, out);
}

function isFunction(node: AnyNode | undefined): boolean {
  return !!node && (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression');
}

/** True when an Identifier reads a variable (not a property name, label or declaration key). */
function isReference(node: AnyNode, parent: AnyNode | undefined): boolean {
  if (!parent) return true;
  switch (parent.type) {
    case 'MemberExpression':
      return parent.object === node || parent.computed;
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      if (parent.shorthand) return true;
      return parent.key === node ? parent.computed : true;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return false;
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ClassDeclaration':
    case 'ClassExpression':
      return parent.id !== node && !(parent.params ?? []).includes(node);
    case 'ArrowFunctionExpression':
      return !parent.params.includes(node);
    case 'VariableDeclarator':
      return parent.init === node;
    case 'CatchClause':
      return parent.param !== node;
    default:
      return true;
  }
}

/**
 * Depth-first walk over every child node. The visitor may return false to
 * skip a node's children. With skipRoot the root itself is not visited.
 */
function walk(root: AnyNode, ancestors: AnyNode[], visit: (node: AnyNode, ancestors: AnyNode[]) => boolean | void, skipRoot = false): void {
  if (!skipRoot && visit(root, ancestors) === false) return;
  ancestors.push(root);
  for (const key of Object.keys(root)) {
    if (key === 'loc' || key === 'type' || key === 'start' || key === 'end' || key === 'range') continue;
    const value = root[key];
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item.type === 'string') walk(item, ancestors, visit);
    } else if (value && typeof value === 'object' && typeof value.type === 'string') {
      walk(value, ancestors, visit);
    }
  }
  ancestors.pop();
}

function mapToSource(problems: GateProblem[], options: GateOptions): void {
  const payload = typeof options.sourceMap === 'string' ? JSON.parse(options.sourceMap) : options.sourceMap;
  const map = new SourceMap(payload);
  const base = options.bundlePath ? dirname(resolve(options.bundlePath)) : process.cwd();
  const root = options.root ?? process.cwd();
  for (const p of problems) {
    const entry = map.findEntry(p.line - 1, p.column) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (!entry?.originalSource) continue;
    const file = relative(root, resolve(base, entry.originalSource.replace(/^file:\/\//, '')));
    p.source = { file, line: (entry.originalLine ?? 0) + 1, column: entry.originalColumn ?? 0 };
  }
}

/** One line per problem: source position first when known, then the bundle position. */
export function formatProblem(p: GateProblem, bundleName = 'bundle'): string {
  const where = p.source ? `${p.source.file}:${p.source.line}:${p.source.column + 1} (${bundleName}:${p.line}:${p.column + 1})` : `${bundleName}:${p.line}:${p.column + 1}`;
  return `${where}: ${p.message} [${p.rule}]`;
}
