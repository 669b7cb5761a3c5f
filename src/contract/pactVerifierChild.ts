import { runPactVerification } from './runPactVerification.ts';

/**
 * The child process Pact's verifier runs in (see runPactVerificationProcess.ts): it takes the run's
 * options from its parent, answers the verifier's JSON, and ends with its parent.
 */
type Options = Parameters<typeof runPactVerification>[0];

// An orphan would keep replaying interactions against a mock that is gone.
process.on('disconnect', () => process.exit(1));
process.once('message', (options: Options) => {
  runPactVerification(options).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () =>
        process.exit(1),
      ),
  );
});
