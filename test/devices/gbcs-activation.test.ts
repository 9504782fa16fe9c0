/**
 * A GBCS device's activation logic: CS06 commands act only when MAC, signature, recipient,
 * message code, counter and payload counter check out, then the held image's hash decides the
 * outcome; future-dated commands wait for their time; every refusal names its stage. The real
 * RTDS command is accepted by an ESME holding the published key-agreement key.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/bytes/hex.ts';
import { nodeIo } from '../../src/cli/context.ts';
import { readKeyDirectory } from '../../src/cli/key-directory.ts';
import {
  type ActivationContext,
  type ActivationEffect,
  type ActivationState,
  type GbcsIdentity,
  initialActivationState,
  stepActivation,
} from '../../src/devices/gbcs-activation.ts';
import { encodeGeneralSigning } from '../../src/gbcs/apdu.ts';
import { buildCs06, type Cs06Spec } from '../../src/gbcs/build-cs06.ts';
import { DCC_TEST_ACB } from '../../src/gbcs/security.ts';
import { simulatedParty } from '../../src/gbcs/simulated-party.ts';
import {
  type ArbitraryCs06,
  type Cs06Parties,
  forgedCs06,
  genuineCs06,
} from '../../src/testing/gbcs-arbitraries.ts';
import { describeWithVectors, readVectorText, vectorPath } from '../helpers/vectors.ts';

const supplier = simulatedParty('90b3d51f30010000', 'supplier A');
const otherSupplier = simulatedParty('90b3d51f30020000', 'supplier B');
const acb = simulatedParty('90b3d51f30000002', 'acb');
const device = simulatedParty('00db1234567890a0', 'esme');
const otherDevice = simulatedParty('00db1234567890a1', 'gsme');
const identity: GbcsIdentity = {
  device: device.eui,
  keyAgreementPrivateKey: device.kaPrivate,
  signingPrivateKey: device.dsPrivate,
  acb: acb.eui,
  acbKeyAgreementKey: acb.kaPublic,
};
const imageHash = fromHex('11'.repeat(32), 'hash');
const anchor = { supplier: supplier.eui, signingKey: supplier.dsPublic };
const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z
const holding: ActivationContext = {
  nowUnixS: NOW,
  heldImageHash: imageHash,
  runningVersion: fromHex('00000001', 'v'),
  heldVersion: fromHex('00000002', 'v'),
};

function spec(patch: Partial<Cs06Spec> = {}): Cs06Spec {
  return {
    supplier: supplier.eui,
    signingKey: supplier.dsPrivate,
    recipient: device.eui,
    macFor: device.kaPublic,
    acbKaPrivate: acb.kaPrivate,
    counter: 100n,
    hash: imageHash,
    ...patch,
  };
}

function send(bytes: Uint8Array, state = initialActivationState(anchor), ctx = holding) {
  return stepActivation(identity, state, { type: 'command', bytes }, ctx);
}

function refusal(effects: readonly ActivationEffect[]) {
  const r = effects.find((e) => e.type === 'refused');
  return r?.type === 'refused' ? r.stage : undefined;
}

describe('CS06 on a GBCS device', () => {
  it('activates on a valid immediate command and answers success with the new version', () => {
    const step = send(buildCs06(spec()));
    expect(step.effects).toEqual([
      { type: 'activate' },
      {
        type: 'respond',
        to: supplier.eui,
        counter: 100n,
        response: { kind: 'executed', outcome: 'success', firmwareVersion: fromHex('00000002', 'v') },
      },
    ]);
    expect(step.state.lastCounters.get(supplier.eui)).toBe(100n);
  });

  const refusals: [string, () => Uint8Array, string, ActivationState?][] = [
    ['a forged signature', () => buildCs06(spec({ signingKey: otherSupplier.dsPrivate })), 'signature'],
    [
      'a command from another supplier',
      () => buildCs06(spec({ supplier: otherSupplier.eui, signingKey: otherSupplier.dsPrivate })),
      'signature',
    ],
    ['a MAC with a bit flipped', () => flip(buildCs06(spec()), -1), 'mac'],
    [
      'a command for another device, replayed here',
      () => buildCs06(spec({ recipient: otherDevice.eui, macFor: otherDevice.kaPublic })),
      'mac',
    ],
    [
      'a command MACed for this device but naming another',
      () => buildCs06(spec({ recipient: otherDevice.eui })),
      'recipient',
    ],
    ['another message code', () => buildCs06(spec({ messageCode: 0x0013 })), 'messageCode'],
    ['a response instead of a command', () => buildCs06(spec({ cra: 'response' })), 'messageCode'],
    [
      'a payload counter that differs from the header',
      () => buildCs06(spec({ payloadCounter: 101n })),
      'payloadCounter',
    ],
    ['a truncated APDU', () => buildCs06(spec()).subarray(0, 150), 'decode'],
    ['a padded APDU', () => Uint8Array.of(...buildCs06(spec()), 0), 'decode'],
    [
      'a signed command without General-Ciphering',
      () =>
        encodeGeneralSigning({
          transactionId: { cra: 'command', counter: 100n },
          originator: fromHex(supplier.eui, 's'),
          recipient: fromHex(device.eui, 'r'),
          messageCode: 0x12,
          content: new Uint8Array(2),
          signature: new Uint8Array(64),
        }),
      'notCritical',
    ],
  ];
  for (const [what, bytes, stage] of refusals) {
    it(`refuses ${what} (stage ${stage}) and does nothing else`, () => {
      const step = send(bytes());
      expect(refusal(step.effects)).toBe(stage);
      expect(step.effects).toHaveLength(1);
      expect(step.state.lastCounters.size).toBe(0);
    });
  }

  it('tries a held image whose firmware refuses to run, and answers activationFailure with the old version', () => {
    const step = send(buildCs06(spec()), undefined, { ...holding, heldRefuses: true });
    expect(step.effects).toEqual([
      { type: 'activate' },
      {
        type: 'respond',
        to: supplier.eui,
        counter: 100n,
        response: { kind: 'executed', outcome: 'activationFailure', firmwareVersion: holding.runningVersion },
      },
    ]);
  });

  it('refuses a replayed command and a lower counter', () => {
    const first = send(buildCs06(spec({ counter: 100n })));
    expect(refusal(send(buildCs06(spec({ counter: 100n })), first.state).effects)).toBe('counter');
    expect(refusal(send(buildCs06(spec({ counter: 99n })), first.state).effects)).toBe('counter');
    expect(refusal(send(buildCs06(spec({ counter: 101n })), first.state).effects)).toBeUndefined();
  });

  it('answers hashMismatch for another image and noImageHeld with nothing held, without activating', () => {
    const other = send(buildCs06(spec({ hash: fromHex('22'.repeat(32), 'h') })));
    expect(other.effects).toEqual([
      {
        type: 'respond',
        to: supplier.eui,
        counter: 100n,
        response: { kind: 'executed', outcome: 'hashMismatch', firmwareVersion: fromHex('00000001', 'v') },
      },
    ]);
    const { heldImageHash: _h, ...empty } = holding;
    const none = send(buildCs06(spec()), initialActivationState(anchor), empty);
    expect(
      none.effects.map((e) =>
        e.type === 'respond' && e.response.kind === 'executed' ? e.response.outcome : e.type,
      ),
    ).toEqual(['noImageHeld']);
  });

  it('refuses the old supplier after a change of supplier and obeys the new one', () => {
    const changed = stepActivation(
      identity,
      initialActivationState(anchor),
      { type: 'changeSupplier', anchor: { supplier: otherSupplier.eui, signingKey: otherSupplier.dsPublic } },
      holding,
    ).state;
    expect(refusal(send(buildCs06(spec()), changed).effects)).toBe('signature');
    const fromNew = send(
      buildCs06(spec({ supplier: otherSupplier.eui, signingKey: otherSupplier.dsPrivate })),
      changed,
    );
    expect(fromNew.effects[0]).toEqual({ type: 'activate' });
  });

  it("drops a pending activation when the supplier changes, so the old supplier's command never runs", () => {
    const scheduled = send(buildCs06(spec({ executeAt: '2026-01-02T00:00:00Z' })));
    const changed = stepActivation(
      identity,
      scheduled.state,
      { type: 'changeSupplier', anchor: { supplier: otherSupplier.eui, signingKey: otherSupplier.dsPublic } },
      holding,
    );
    expect(changed.state.pending).toBeUndefined();
    const due = stepActivation(
      identity,
      changed.state,
      { type: 'due' },
      { ...holding, nowUnixS: NOW + 86_400 },
    );
    expect(due.effects).toEqual([]);
  });

  it('keeps a pending activation when a cancellation is refused', () => {
    const scheduled = send(buildCs06(spec({ executeAt: '2026-01-02T00:00:00Z' })));
    const forgedCancel = buildCs06(
      spec({ counter: 101n, executeAt: '9999-12-31T23:59:59Z', signingKey: otherSupplier.dsPrivate }),
    );
    const refused = send(forgedCancel, scheduled.state);
    expect(refusal(refused.effects)).toBe('signature');
    expect(refused.state.pending).toEqual(scheduled.state.pending);
  });

  it('waits for a future-dated command, activates at its time and alerts 0x8F66', () => {
    const step = send(buildCs06(spec({ executeAt: '2026-01-02T00:00:00Z' })));
    expect(step.effects).toEqual([
      { type: 'schedule', atUnixS: NOW + 86_400 },
      { type: 'respond', to: supplier.eui, counter: 100n, response: { kind: 'commandAccepted' } },
    ]);
    const early = stepActivation(
      identity,
      step.state,
      { type: 'due' },
      { ...holding, nowUnixS: NOW + 86_399 },
    );
    expect(early.effects).toEqual([]);
    const due = stepActivation(identity, step.state, { type: 'due' }, { ...holding, nowUnixS: NOW + 86_400 });
    expect(due.effects.map((e) => e.type)).toEqual(['activate', 'alert']);
    expect(due.effects[1]).toMatchObject({ alertCode: 0x8f66, outcome: 'success', commandCounter: 100n });
    expect(due.state.pending).toBeUndefined();
  });

  it('alerts 0x8F67 when a future-dated activation finds another image', () => {
    const step = send(buildCs06(spec({ executeAt: '2026-01-02T00:00:00Z' })));
    const due = stepActivation(
      identity,
      step.state,
      { type: 'due' },
      { ...holding, nowUnixS: NOW + 86_400, heldImageHash: fromHex('33'.repeat(32), 'h') },
    );
    expect(due.effects).toEqual([
      expect.objectContaining({ type: 'alert', alertCode: 0x8f67, outcome: 'hashMismatch' }),
    ]);
  });

  it('cancels a pending activation with a command dated 9999-12-31T23:59:59Z', () => {
    const scheduled = send(buildCs06(spec({ executeAt: '2026-01-02T00:00:00Z' })));
    const cancelled = send(
      buildCs06(spec({ counter: 101n, executeAt: '9999-12-31T23:59:59Z' })),
      scheduled.state,
    );
    expect(cancelled.effects.map((e) => e.type)).toEqual(['unschedule', 'note', 'respond']);
    const due = stepActivation(
      identity,
      cancelled.state,
      { type: 'due' },
      { ...holding, nowUnixS: NOW + 86_400 },
    );
    expect(due.effects).toEqual([]);
  });

  it('never activates on commands built without the supplier key: mutations, replays and splices', () => {
    const genuine = [
      buildCs06(spec({ counter: 100n })),
      buildCs06(spec({ counter: 101n, hash: fromHex('22'.repeat(32), 'h') })),
    ];
    const forged = fc.oneof(
      // a genuine command with bytes changed
      fc
        .tuple(
          fc.constantFrom(...genuine),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        )
        .map(([g, flips]) => {
          const b = g.slice();
          for (const [at, x] of flips) b[at % b.length] = ((b[at % b.length] as number) ^ x) & 0xff;
          return b;
        }),
      // splices of two genuine commands
      fc
        .tuple(fc.nat({ max: 200 }), fc.nat({ max: 200 }))
        .map(([a, b]) =>
          Uint8Array.of(
            ...(genuine[0] as Uint8Array).subarray(0, a),
            ...(genuine[1] as Uint8Array).subarray(b),
          ),
        ),
      // commands signed by someone else, with any counter and hash
      fc
        .record({
          counter: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
          key: fc.constantFrom(otherSupplier.dsPrivate, acb.dsPrivate, device.dsPrivate),
        })
        .map(({ counter, key }) => buildCs06(spec({ counter, signingKey: key }))),
    );
    fc.assert(
      fc.property(fc.array(forged, { minLength: 1, maxLength: 6 }), (commands) => {
        // A replay of a genuine command the device already accepted comes first.
        let state = send(genuine[0] as Uint8Array).state;
        for (const bytes of [genuine[0] as Uint8Array, ...commands]) {
          const step = send(bytes, state);
          expect(step.effects.some((e) => e.type === 'activate')).toBe(false);
          // Whatever got past the checks is a genuine command, byte for byte (a splice can
          // rebuild one): only the supplier's key makes a command acceptable.
          if (refusal(step.effects) === undefined)
            expect(genuine.some((g) => g.length === bytes.length && g.every((b, i) => b === bytes[i]))).toBe(
              true,
            );
          state = step.state;
        }
      }),
      { numRuns: 60 },
    );
  });

  it('refuses every forged command of the testing kit where its label says, and refuses no genuine one', () => {
    const parties: Cs06Parties = {
      supplier: supplier.eui,
      supplierSigningKey: supplier.dsPrivate,
      device: device.eui,
      deviceKaPublic: device.kaPublic,
      acbKaPrivate: acb.kaPrivate,
      hash: imageHash,
    };
    const expected: Record<ArbitraryCs06['kind'], string | undefined> = {
      genuine: undefined,
      otherSigner: 'signature',
      otherRecipient: 'recipient',
      payloadCounter: 'payloadCounter',
      otherHash: undefined,
      flippedByte: 'any',
    };
    fc.assert(
      fc.property(fc.oneof(genuineCs06(parties), forgedCs06(parties)), (command) => {
        const step = send(command.bytes);
        const stage = refusal(step.effects);
        if (expected[command.kind] === 'any') expect(stage).toBeDefined();
        else expect(stage).toBe(expected[command.kind]);
        // Only a genuine command may activate; another hash is answered, never acted on.
        if (command.kind !== 'genuine') expect(step.effects.some((e) => e.type === 'activate')).toBe(false);
      }),
      { numRuns: 80 },
    );
  });

  it('always activates with the supplier key, a counter above the last and the held hash', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 2n }),
        fc.bigInt({ min: 1n, max: 2n ** 32n }),
        (last, step) => {
          const state: ActivationState = { anchor, lastCounters: new Map([[supplier.eui, last]]) };
          const counter = last + step >= 2n ** 64n ? 2n ** 64n - 1n : last + step;
          expect(send(buildCs06(spec({ counter })), state).effects[0]).toEqual({ type: 'activate' });
        },
      ),
      { numRuns: 30 },
    );
  });
});

describeWithVectors('the RTDS CS06 command on an ESME with the published keys', () => {
  it('is accepted and activates the image whose hash it names', () => {
    const ring = readKeyDirectory({ io: nodeIo, exit: () => {} }, vectorPath('gbcs/keys'), DCC_TEST_ACB);
    const esme = ring.parties.get('00db1234567890a0')?.ka?.privateKey as Uint8Array;
    const real: GbcsIdentity = {
      device: '00db1234567890a0',
      keyAgreementPrivateKey: esme,
      // No device signing key is published: a simulated one signs its response.
      signingPrivateKey: device.dsPrivate,
      acb: DCC_TEST_ACB,
      acbKeyAgreementKey: ring.parties.get(DCC_TEST_ACB)?.ka?.publicKey as Uint8Array,
    };
    const testSupplier = {
      supplier: '90b3d51f30010000',
      signingKey: ring.parties.get('90b3d51f30010000')?.ds?.publicKey as Uint8Array,
    };
    const bytes = fromHex(
      readVectorText('gbcs/rtds-4.5.0/CS06_11.3_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX'),
      'rtds',
    );
    const ctx = {
      ...holding,
      heldImageHash: fromHex('aa758690730934ff0685aa758690730934ff0685657788990011223344556677', 'h'),
    };
    const step = stepActivation(real, initialActivationState(testSupplier), { type: 'command', bytes }, ctx);
    expect(step.effects[0]).toEqual({ type: 'activate' });
    // Replayed, it is refused for its counter.
    expect(refusal(stepActivation(real, step.state, { type: 'command', bytes }, ctx).effects)).toBe(
      'counter',
    );
  });
});

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const b = bytes.slice();
  const i = at < 0 ? b.length + at : at;
  b[i] = (b[i] as number) ^ 1;
  return b;
}
