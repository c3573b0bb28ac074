// node vendor-schemas.mjs: unpack the packages of schema-packages.json into
// ./vendor/node_modules (npm pack, integrity checked) for schemas.js.
// The schema modules import `schemas` from @bedrock/validation, whose entry point starts the
// bedrock platform; its package.json is pointed at a three-line module exporting just the
// schema helpers they use (identifier, proof), read from the same package.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const wanted = JSON.parse(fs.readFileSync(path.join(here, 'schema-packages.json'), 'utf8'));
const into = path.join(here, 'vendor', 'node_modules');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reference-schemas-'));
try {
  fs.rmSync(path.join(here, 'vendor'), {recursive: true, force: true});
  for(const [name, {version, integrity}] of Object.entries(wanted)) {
    const [packed] = JSON.parse(execFileSync('npm',
      ['pack', `${name}@${version}`, '--json', '--pack-destination', tmp], {encoding: 'utf8'}));
    if(packed.integrity !== integrity) {
      throw new Error(`${name}@${version}: integrity ${packed.integrity}, expected ${integrity}`);
    }
    const dir = path.join(into, name);
    fs.mkdirSync(dir, {recursive: true});
    execFileSync('tar', ['-xzf', path.join(tmp, packed.filename), '-C', dir, '--strip-components=1']);
  }
  const validation = path.join(into, '@bedrock', 'validation');
  fs.writeFileSync(path.join(validation, 'schemas-only.js'),
    "import identifier from './schemas/identifier.js';\n" +
    "import proof from './schemas/proof.js';\n" +
    'export const schemas = {identifier, proof};\n');
  const pkg = JSON.parse(fs.readFileSync(path.join(validation, 'package.json'), 'utf8'));
  pkg.exports = {'.': './schemas-only.js'};
  fs.writeFileSync(path.join(validation, 'package.json'), JSON.stringify(pkg, null, 2));
  console.log(`schemas of ${Object.keys(wanted).join(', ')} in ${into}`);
} finally {
  fs.rmSync(tmp, {recursive: true, force: true});
}
