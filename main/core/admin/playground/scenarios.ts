import type { PlaygroundScenario, PlaygroundStep } from '../../../../shared/contract';
import { seconds } from '../../lib/clock';
import { randomToken } from '../../lib/secrets';
import type { PlaygroundRun } from './exchange';
import { type CodeInHand, redeemCode } from './redeem';

// Built-in mistakes of the authorization code flow: the client gets a real code, then redeems it the
// wrong way, and the provider's refusal is shown with the spec section that requires it.

/** Marks the token request the mistake was made in: the step the run is about. */
function refused(run: PlaygroundRun, title: string, spec: string, explanation: string): void {
  const step = run.steps.at(-1) as PlaygroundStep;
  const answer = step.http?.response.status === 200 ? 'accepted it (it should not have)' : 'refused it';
  Object.assign(step, {
    title,
    spec,
    failed: true,
    explanation: `Deliberate mistake: ${explanation} The provider ${answer}.`,
  });
}

async function wrongVerifier(run: PlaygroundRun, inHand: CodeInHand, params: Record<string, string>) {
  const wrong = randomToken();
  await redeemCode(run, { ...inHand, pkce: { ...inHand.pkce, verifier: wrong } }, undefined, params);
  refused(
    run,
    'Client → POST /token with the wrong code_verifier',
    'RFC 7636 §4.6, RFC 6749 §5.2',
    'the client sends a code_verifier other than the one whose hash it sent as code_challenge. The provider must compare SHA-256(code_verifier) with the challenge and answer invalid_grant when they differ: that is what makes a stolen code useless.',
  );
}

async function reusedCode(run: PlaygroundRun, inHand: CodeInHand, params: Record<string, string>) {
  const first = await redeemCode(run, inHand, undefined, params);
  if (!first) return;
  await redeemCode(run, inHand, undefined, params);
  refused(
    run,
    'Client → POST /token with the same code again',
    'RFC 6749 §4.1.2, §10.5, §5.2',
    'the client redeems the code a second time. A code is single-use: the provider must refuse it (invalid_grant) and should revoke the tokens already issued from it, since a second redemption means the code leaked.',
  );
}

async function expiredCode(run: PlaygroundRun, inHand: CodeInHand, params: Record<string, string>) {
  const { codes, settings, writes, clock } = run.deps.ctx;
  const ttl = settings.get().authorization_code_ttl;
  run.steps.push({
    title: 'The code outlives its lifetime',
    spec: 'RFC 6749 §4.1.2',
    explanation: `The code lives ${ttl} s (Settings → authorization code lifetime). The lab ends this one code's lifetime now, as if the client had waited longer than that; nothing else changes (provider time stays as it is).`,
    http: null,
    values: { authorization_code_ttl: ttl },
  });
  await writes.run(() => codes.expire(inHand.code, seconds(clock)));
  await redeemCode(run, inHand, undefined, params);
  refused(
    run,
    'Client → POST /token with an expired code',
    'RFC 6749 §4.1.2, §5.2',
    'the client redeems the code after its lifetime. A code must expire shortly after it is issued (10 minutes at most is recommended); the provider answers invalid_grant.',
  );
}

const SCENARIOS: Record<
  PlaygroundScenario,
  (run: PlaygroundRun, inHand: CodeInHand, params: Record<string, string>) => Promise<void>
> = {
  wrong_verifier: wrongVerifier,
  reused_code: reusedCode,
  expired_code: expiredCode,
};

/** Redeems the code with the scenario's mistake; false, since the run stops at the refusal. */
export async function runScenario(
  run: PlaygroundRun,
  inHand: CodeInHand,
  scenario: PlaygroundScenario,
  params: Record<string, string> = {},
): Promise<boolean> {
  await SCENARIOS[scenario](run, inHand, params);
  return false;
}
