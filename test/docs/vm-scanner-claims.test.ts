import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MOVE_TO_VM_SCANNER } from '../../cli/report';
import { ROOT } from './doc-commands';

/**
 * What the docs and the coverage footer say of the VM scanner and deep inspection, held to what the pages
 * say: the deep-inspection page's note ("This page applies to customers that have not opted in to Enhanced
 * EC2 Scanning. Customers opted into Enhanced EC2 Scanning do not need any additional policy configuration")
 * scopes the page; no page found says whether the deep-inspection setting or the custom paths apply to the VM
 * scanner. And the custom paths are the organization's and each account's ("for your organization or for your
 * own account").
 */
const TEXTS = {
  'docs/coverage.md': readFileSync(path.join(ROOT, 'docs/coverage.md'), 'utf8'),
  'docs/how-it-works.md': readFileSync(path.join(ROOT, 'docs/how-it-works.md'), 'utf8'),
  'the coverage footer': MOVE_TO_VM_SCANNER,
};

describe('the VM scanner and deep inspection: no more than the pages say', () => {
  it.each(Object.entries(TEXTS))('%s claims nothing the pages do not say', (_, text) => {
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).not.toMatch(/do not apply to (it|the VM scanner)/);
    expect(flat).not.toMatch(/does not govern/);
    expect(flat).toContain('This page applies to customers that have not opted in to Enhanced EC2 Scanning');
    // The custom paths: the organization's and each account's own.
    expect(flat).toMatch(/orgPackagePaths/);
    expect(flat).toMatch(/packagePaths/);
    expect(flat).toMatch(/own account/);
  });
});
