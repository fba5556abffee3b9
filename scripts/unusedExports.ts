// Dead exports, found with the TypeScript compiler the build already uses (no extra tool): an export nothing uses,
// not even its own file, and an export that only tests import while its own file never uses it (code kept alive
// by its own test). Files that nothing imports are entry points here (functions/, the CLIs), so they are not reported.
// A declaration whose doc comment has `@public` is kept for readers outside the code (say so in the comment).
import * as path from 'node:path';
import ts from 'typescript';

export interface UnusedExport {
  file: string;
  line: number;
  name: string;
  /** 'unused': referenced nowhere; 'tests only': imported by tests alone and not used by its own file. */
  kind: 'unused' | 'tests only';
}

/** Files whose exports exist for tests, so that tests alone importing them is their purpose. */
const FOR_TESTS = [/^test\//, /^local\/host\/testing\//];

export function findUnusedExports(tsconfigPath: string): UnusedExport[] {
  const root = path.dirname(path.resolve(tsconfigPath));
  const config = ts.getParsedCommandLineOfConfigFile(tsconfigPath, { noEmit: true }, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!config) throw new Error(`Cannot read ${tsconfigPath}.`);
  const program = ts.createProgram(config.fileNames, config.options);
  const checker = program.getTypeChecker();
  const ours = program.getSourceFiles().filter((f) => !program.isSourceFileFromExternalLibrary(f) && !f.isDeclarationFile);
  const relative = (f: ts.SourceFile) => path.relative(root, f.fileName).split(path.sep).join('/');
  const original = (symbol: ts.Symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);

  // Who imports each declared symbol (through any chain of re-exports).
  const importers = new Map<ts.Symbol, Set<string>>();
  const imported = (symbol: ts.Symbol | undefined, by: string) => {
    if (!symbol) return;
    const key = original(symbol);
    importers.set(key, (importers.get(key) ?? new Set()).add(by));
  };
  for (const file of ours) {
    const me = relative(file);
    for (const statement of file.statements) {
      if (!ts.isImportDeclaration(statement) || !statement.importClause) continue;
      const { name, namedBindings } = statement.importClause;
      if (name) imported(checker.getSymbolAtLocation(name), me);
      if (namedBindings && ts.isNamedImports(namedBindings)) {
        for (const element of namedBindings.elements) imported(checker.getSymbolAtLocation(element.name), me);
      } else if (namedBindings) {
        // `import * as x`: every export counts as used (which of them x.… reaches is not worth tracing).
        const module = checker.getSymbolAtLocation(statement.moduleSpecifier);
        for (const symbol of module ? checker.getExportsOfModule(module) : []) imported(symbol, me);
      }
    }
  }

  const found: UnusedExport[] = [];
  for (const file of ours) {
    const me = relative(file);
    const module = checker.getSymbolAtLocation(file);
    if (!module) continue;
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = original(exported);
      const declaration = symbol.declarations?.[0];
      if (!declaration || declaration.getSourceFile() !== file) continue; // a re-export: reported where it is declared
      const by = [...(importers.get(symbol) ?? [])].filter((f) => f !== me);
      const onlyTests = by.length > 0 && by.every((f) => f.startsWith('test/')) && !FOR_TESTS.some((re) => re.test(me));
      if (by.length > 0 && !onlyTests) continue;
      if (ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === 'public')) continue;
      if (usedInFile(file, symbol, declaration, checker, original)) continue;
      const line = file.getLineAndCharacterOfPosition(declaration.getStart(file)).line + 1;
      found.push({ file: me, line, name: exported.name, kind: by.length === 0 ? 'unused' : 'tests only' });
    }
  }
  return found.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function usedInFile(file: ts.SourceFile, symbol: ts.Symbol, declaration: ts.Declaration, checker: ts.TypeChecker, original: (s: ts.Symbol) => ts.Symbol): boolean {
  const declaredName = ts.getNameOfDeclaration(declaration);
  const visit = (node: ts.Node): boolean => {
    if (ts.isIdentifier(node) && node !== declaredName && node.text === symbol.name) {
      const seen = checker.getSymbolAtLocation(node);
      if (seen && (original(seen) === symbol || checker.getExportSymbolOfSymbol(seen) === symbol)) return true;
    }
    return ts.forEachChild(node, visit) ?? false;
  };
  return visit(file);
}

function main(): void {
  const tsconfig = process.argv[2] ?? 'tsconfig.json';
  const found = findUnusedExports(tsconfig);
  for (const u of found) console.log(`${u.file}:${u.line} ${u.name} (${u.kind})`);
  console.log(found.length === 0 ? 'No unused exports.' : `${found.length} unused export(s): delete them, or use them.`);
  if (found.length > 0) process.exitCode = 1;
}

if (require.main === module) main();
