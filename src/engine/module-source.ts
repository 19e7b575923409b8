/**
 * Whether a module runs from its TypeScript source (tests, tsx) rather than compiled `dist/`,
 * so a worker it starts must load TypeScript too. Judged by the URL's path: a module that tsx's
 * `tsImport` loaded (a project file's `import … from 'tandem'`) carries a `?namespace=` query.
 */
export function runsFromTypeScript(moduleUrl: string): boolean {
  return new URL(moduleUrl).pathname.endsWith('.ts');
}
