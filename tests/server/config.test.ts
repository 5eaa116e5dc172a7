import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, printedBase } from '../../src/server/config';

describe('server configuration', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: './data',
      logLevel: 'info',
      trustProxy: false,
    });
    expect(printedBase(config)).toBe('http://localhost:8080');
  });

  it('reads the environment', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      DATA_DIR: '/var/lib/hall',
      DATABASE_URL: 'postgres://hall@db.local/hall',
      PUBLIC_URL: 'https://hall.example.org/',
      LOG_LEVEL: 'warn',
      TRUST_PROXY: '1',
      UNRELATED: 'x',
    });
    expect(config).toEqual({
      port: 9000,
      host: '127.0.0.1',
      dataDir: '/var/lib/hall',
      databaseUrl: 'postgres://hall@db.local/hall',
      publicUrl: 'https://hall.example.org',
      logLevel: 'warn',
      trustProxy: 1,
    });
    expect(printedBase(config)).toBe('https://hall.example.org');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 8080 });
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT="eighty": must be a whole number/],
    [{ PORT: '70000' }, /PORT="70000": must be between 0 and 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL="mysql:\/\/x": must be a postgres/],
    [{ PUBLIC_URL: 'hall.example' }, /PUBLIC_URL="hall.example": must be a http/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud": must be one of fatal, error/],
    [{ TRUST_PROXY: 'yes' }, /TRUST_PROXY="yes": must be true, false or a number/],
  ])('names a bad value clearly: %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
