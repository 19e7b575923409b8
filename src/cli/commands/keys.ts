import { join } from 'node:path';
import type { Command } from 'commander';
import { ApiKeyStore, SCOPES } from '../../server/api-keys.js';

/** Where `tandem serve` looks for its API keys. */
export function apiKeyFile(dataDir: string): string {
  return join(dataDir, 'api-keys.json');
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys for tandem serve (stored hashed in <data-dir>/api-keys.json)');
  keys
    .command('create <name>')
    .description(`create a key and print it once; scopes: ${SCOPES.join(', ')} (admin includes the others)`)
    .requiredOption('--scopes <list>', 'comma-separated scopes, e.g. predict,ingest')
    .option('--data-dir <dir>', 'where tandem serve keeps its state', '.tandem')
    .action((name: string, flags: { scopes: string; dataDir: string }) => {
      const key = new ApiKeyStore(apiKeyFile(flags.dataDir)).create(name, flags.scopes.split(',').map((s) => s.trim()).filter(Boolean));
      process.stdout.write(`${key}\n`);
      process.stderr.write(`API key '${name}' created; it is shown only now. Send it as: Authorization: Bearer <key>\n`);
    });
  keys
    .command('list')
    .description('key names, scopes and creation times (never the keys)')
    .option('--data-dir <dir>', 'where tandem serve keeps its state', '.tandem')
    .action((flags: { dataDir: string }) => {
      const list = new ApiKeyStore(apiKeyFile(flags.dataDir)).list();
      if (list.length === 0) process.stdout.write('no API keys: tandem serve is open to every local client\n');
      for (const key of list) process.stdout.write(`${key.name}  ${key.scopes.join(',')}  ${key.createdAt}\n`);
    });
  keys
    .command('revoke <name>')
    .description('delete a key; a running server stops accepting it within a second')
    .option('--data-dir <dir>', 'where tandem serve keeps its state', '.tandem')
    .action((name: string, flags: { dataDir: string }) => {
      new ApiKeyStore(apiKeyFile(flags.dataDir)).revoke(name);
      process.stdout.write(`API key '${name}' revoked\n`);
    });
}
