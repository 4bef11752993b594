import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('rexi-live completion', () => {
  it('prints each shell\'s script on stdout', async () => {
    const bash = await runCli(['completion', 'bash']);
    expect(bash.code, bash.stderr).toBe(0);
    expect(bash.stdout).toMatch(/^complete -F _rexi_live rexi-live$/m);
    expect((await runCli(['completion', 'zsh'])).stdout).toMatch(/^#compdef rexi-live\n/);
    expect((await runCli(['completion', 'fish'])).stdout).toMatch(/^complete -c rexi-live /m);
  });

  it('another shell: exit 2, one line naming the ones supported', async () => {
    const r = await runCli(['completion', 'powershell']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe("rexi-live: error: completion: 'powershell' is not a shell this supports: bash, zsh, fish");
  });

  it('--help says how to install each', async () => {
    const r = await runCli(['completion', '--help']);
    expect(r.code).toBe(0);
    for (const shell of ['bash', 'zsh', 'fish']) expect(r.stdout).toContain(`rexi-live completion ${shell} >`);
    expect((await runCli(['--help'])).stdout).toMatch(/completion/);
  });
});
