import { Worker } from 'node:worker_threads';

/**
 * Whether a module runs from its TypeScript source (tests, tsx) rather than compiled `dist/`,
 * so a worker it starts must load TypeScript too. Judged by the URL's path: a module that tsx's
 * `tsImport` loaded (a project file's `import … from 'tandem'`) carries a `?namespace=` query.
 */
export function runsFromTypeScript(moduleUrl: string): boolean {
  return new URL(moduleUrl).pathname.endsWith('.ts');
}

/**
 * A worker thread running the module `name` beside the caller (`moduleUrl`): `name.js` when
 * the caller runs compiled, else `name.ts` through tsx's loader, registered in the worker
 * before the module is imported. The worker's script imports the loader rather than
 * requiring it: its ES module build, required from a script, goes through Node 20's
 * `require(esm)`, which has killed the whole process with a V8 fatal error
 * ("v8::Module::IsGraphAsync must be used on an instantiated module") as a worker started; its
 * CommonJS build registers hooks it cannot then find.
 */
export function workerBeside(moduleUrl: string, name: string): Worker {
  if (!runsFromTypeScript(moduleUrl)) return new Worker(new URL(`./${name}.js`, moduleUrl));
  return new Worker(typeScriptWorkerScript(new URL(`./${name}.ts`, moduleUrl).href), { eval: true });
}

/** The script of a TypeScript worker: register tsx's loader, then import `moduleHref`. */
export function typeScriptWorkerScript(moduleHref: string): string {
  const loader = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleHref)}); });`;
}
