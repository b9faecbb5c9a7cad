/** The factory source contract, as declared in contract/factory.source.yaml. */
import { fileURLToPath } from 'node:url';
import { loadSourceDeclaration, type SourceDeclaration } from './declaration.js';

/** contract/ sits at the package root, two levels above this module in both src/ and dist/. */
export const FACTORY_DECLARATION_FILE = fileURLToPath(
  new URL('../../contract/factory.source.yaml', import.meta.url),
);

let cached: SourceDeclaration | undefined;

export function factorySource(): SourceDeclaration {
  cached ??= loadSourceDeclaration(FACTORY_DECLARATION_FILE);
  return cached;
}
