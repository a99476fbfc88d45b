// Marks a package's dist/cjs folder as CommonJS, so Node and TypeScript read its .js and .d.ts
// files as CommonJS while the package itself is "type": "module".
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

writeFileSync(join(process.cwd(), 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');
