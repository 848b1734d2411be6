// What a user reads: the README's TypeScript examples compile as written, against the
// package's own declarations, and the public API (every declaration reachable from the
// package's entry points) never says `any`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import ts from 'typescript';

const root = path.join(__dirname, '..', '..');

/** The ```ts blocks of a Markdown file, with the line each starts at. */
function tsBlocks(file: string): { line: number; code: string }[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out: { line: number; code: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```ts') continue;
    const start = i + 1;
    while (++i < lines.length && lines[i]!.trim() !== '```');
    out.push({ line: start + 1, code: lines.slice(start, i).join('\n') });
  }
  return out;
}

function diagnostics(program: ts.Program): string[] {
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}

test('the README\'s TypeScript examples compile as written (strict, as a user\'s project sees the package)', (t) => {
  const blocks = tsBlocks(path.join(root, 'README.md'));
  t.true(blocks.length >= 3, 'the README has its examples');
  // A user's project: 'rras-bridge' is the package's declarations, 'ava' the test runner's.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-readme-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = blocks.map((b, i) => {
    const file = path.join(dir, `readme-${i + 1}-line-${b.line}.ts`);
    fs.writeFileSync(file, `${b.code}\nexport {};\n`);
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16,
    lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'], types: ['node'], typeRoots: [path.join(root, 'node_modules', '@types')], skipLibCheck: false,
    paths: { 'rras-bridge': [path.join(root, 'dist', 'lib', 'index.d.ts')], ava: [path.join(root, 'node_modules', 'ava', 'entrypoints', 'main.d.cts')] },
  });
  t.deepEqual(diagnostics(program), []);
});

test('no `any` in the public API: every declaration reachable from the entry points is typed', (t) => {
  const entries = ['index.d.ts', 'config/index.d.ts'].map((f) => path.join(root, 'dist', 'lib', f));
  const program = ts.createProgram(entries, { noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, types: ['node'] });
  const checker = program.getTypeChecker();
  const found: string[] = [];
  const seen = new Set<ts.Node>();
  const where = (n: ts.Node) => {
    const sf = n.getSourceFile();
    return `${path.relative(path.join(root, 'dist'), sf.fileName)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  };
  const visit = (node: ts.Node): void => {
    if (seen.has(node)) return;
    seen.add(node);
    if (node.kind === ts.SyntaxKind.AnyKeyword) found.push(`${where(node)}: ${node.parent.getText().slice(0, 100)}`);
    // Follow the types a declaration names into the files that declare them.
    if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node) || ts.isTypeQueryNode(node)) {
      const name = ts.isTypeReferenceNode(node) ? node.typeName : ts.isTypeQueryNode(node) ? node.exprName : node.expression;
      let symbol = checker.getSymbolAtLocation(name);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      for (const d of symbol?.declarations ?? []) if (d.getSourceFile().fileName.startsWith(path.join(root, 'dist', 'lib'))) visit(d);
    }
    ts.forEachChild(node, visit);
  };
  for (const entry of entries) {
    const sf = program.getSourceFile(entry)!;
    for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      for (const d of target.declarations ?? []) visit(d);
    }
  }
  t.true(seen.size > 1000, `walked the public declarations (${seen.size} nodes)`);
  t.deepEqual(found, []);
});
