import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultPublicUrl } from '../../src/app/defaultPublicUrl.ts';
import { main } from '../../src/cli/main.ts';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

describe('facematch-mock CLI', () => {
  it('explains its commands and serve options with --help', async () => {
    const out = capture();
    const err = capture();
    expect(await main(['--help'], { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(out.text()).toMatch(/facematch-mock serve/);
    expect(await main(['serve', '--help'], { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(out.text()).toMatch(/--data-dir DIR/);
    expect(out.text()).toMatch(/--admin-token TOKEN/);
    expect(out.text()).toMatch(/--admin-allowed-hosts NAMES/);
    expect(out.text()).toMatch(/FACEMATCH_ADMIN_ALLOWED_HOSTS +comma-separated/);
    expect(out.text()).toMatch(/FACEMATCH_PORT/);
  });

  it('refuses unknown commands and flags with exit code 2 and a hint', async () => {
    const out = capture();
    const err = capture();
    expect(await main(['frobnicate'], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(await main(['serve', '--prot', '1'], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(err.text()).toMatch(/--prot/);
    expect(err.text()).toMatch(/serve --help/);
    expect(await main(['serve', '--engine', 'magic'], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(await main(['serve', '--drain-seconds', 'x'], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(err.text()).toMatch(/--drain-seconds must be a number of seconds/);
    expect(err.text()).toMatch(/engine/);
  });
});

describe('facematch-mock CLI, errors naming what is at fault', () => {
  it('prints its help to stderr and exits 2 when no command is given; --help still exits 0', async () => {
    const out = capture();
    const err = capture();
    expect(await main([], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(err.text()).toMatch(/Usage:\n\s+facematch-mock serve/);
    expect(out.text()).toBe('');
    expect(await main(['--help'], { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(out.text()).toMatch(/Usage:/);
  });

  it('serve --help states the public URL a server with default flags hands out', async () => {
    const out = capture();
    expect(await main(['serve', '--help'], { stdout: out.stream, stderr: capture().stream })).toBe(0);
    // It said http://localhost:<port>, while the default --host 127.0.0.1 hands out http://127.0.0.1:<port>.
    expect(out.text()).toMatch(
      /--public-url URL .*\(default http:\/\/<host>:<port>;\s+with --host 0\.0\.0\.0 or ::, http:\/\/localhost:<port>\)/,
    );
    expect(defaultPublicUrl('127.0.0.1', 8080)).toBe('http://127.0.0.1:8080');
    expect(defaultPublicUrl('0.0.0.0', 8080)).toBe('http://localhost:8080');
  });

  it.each([
    [['--engine', 'gpu'], '--engine: expected auto, fixture or onnx, got "gpu".'],
    [['--role', 'leader'], '--role: expected all, api or worker, got "leader".'],
    [['--clock', 'fake'], '--clock: expected real or frozen, got "fake".'],
    [['--validate-responses', 'strict'], '--validate-responses: expected off, log or enforce, got "strict".'],
    [
      ['--callback-policy', 'open'],
      '--callback-policy: expected auto, public-only or allow-private, got "open".',
    ],
  ])('serve %j names the flag and its values, not the config file', async (flags, message) => {
    const out = capture();
    const err = capture();
    expect(await main(['serve', ...flags], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(err.text()).toContain(message);
    expect(err.text()).not.toMatch(/config\.json|Invalid configuration/);
  });
});

describe('facematch-mock serve', () => {
  it('takes --admin-token into the config, refusing one too short to guess-proof', async () => {
    const out = capture();
    const err = capture();
    expect(
      await main(['serve', '--admin-token', 'letmein'], { stdout: out.stream, stderr: err.stream }),
    ).toBe(2);
    expect(err.text()).toMatch(/admin\.token: must be at least 16 characters/);
  });

  it('takes --callback-policy into the config, naming the values it knows', async () => {
    const out = capture();
    const err = capture();
    expect(await main(['serve', '--help'], { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(out.text()).toMatch(/--callback-policy auto\|public-only\|allow-private/);
    expect(out.text()).toMatch(/FACEMATCH_CALLBACK_POLICY/);
    expect(
      await main(['serve', '--callback-policy', 'open'], { stdout: out.stream, stderr: err.stream }),
    ).toBe(2);
    expect(err.text()).toMatch(/--callback-policy: .*allow-private/);
  });

  it('takes --admin-allowed-hosts as a comma-separated list, refusing a URL in it with the field named', async () => {
    const out = capture();
    const err = capture();
    expect(
      await main(['serve', '--admin-allowed-hosts', 'sandbox.lan, http://evil.example'], {
        stdout: out.stream,
        stderr: err.stream,
      }),
    ).toBe(2);
    expect(err.text()).toMatch(/admin\.allowedHosts\.1: must be a host name/);
    expect(err.text()).not.toMatch(/allowedHosts\.0/);
  });

  it('says how to fix a port that is already taken', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const out = capture();
    const err = capture();
    try {
      const code = await main(
        ['serve', '--port', String(port), '--host', '127.0.0.1', '--engine', 'fixture'],
        {
          stdout: out.stream,
          stderr: err.stream,
        },
      );
      expect(code).toBe(2);
      expect(err.text()).toMatch(/already in use.*--port/);
    } finally {
      blocker.close();
    }
  });

  it.each(['serve', 'score', 'verify', 'check-pact', 'check-webhook'])(
    '%s refuses an unknown option with exit code 2, naming it and pointing at its options',
    async (command) => {
      const out = capture();
      const err = capture();
      expect(await main([command, '--no-such-option'], { stdout: out.stream, stderr: err.stream })).toBe(2);
      expect(err.text()).toMatch(/--no-such-option/);
      // `score` prints its whole usage; the others say which --help lists their options.
      expect(err.text()).toMatch(
        command === 'score' ? /facematch-mock score — / : `facematch-mock ${command} --help`,
      );
    },
  );
});
