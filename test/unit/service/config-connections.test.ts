import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

/** SEND_TIMEOUT and MAX_CONNECTIONS_PER_CLIENT (audit 4): defaults, 0 = off, bad values named. */
describe('connection limits in the config', () => {
  it('default to an hour and 64 connections', () => {
    const { security } = loadConfig({});
    expect(security.sendTimeoutS).toBe(3600);
    expect(security.maxConnectionsPerClient).toBe(64);
  });

  it('take 0 for off', () => {
    const { security } = loadConfig({ SEND_TIMEOUT: '0', MAX_CONNECTIONS_PER_CLIENT: '0' });
    expect(security.sendTimeoutS).toBe(0);
    expect(security.maxConnectionsPerClient).toBe(0);
  });

  it('name a bad value', () => {
    let err: unknown;
    try {
      loadConfig({ SEND_TIMEOUT: 'soon', MAX_CONNECTIONS_PER_CLIENT: '-1' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toMatch(/SEND_TIMEOUT/);
    expect(String((err as Error).message)).toMatch(/MAX_CONNECTIONS_PER_CLIENT/);
  });
});
