import { useState } from 'preact/hooks';
import { admin, type CallbackDelivery, query } from '../adminApi.ts';
import { Delivery } from '../components/Delivery.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { useLive } from '../useLive.ts';

/** Every completion-callback delivery with all its attempts; any can be sent again. */
export function CallbacksView({ partner }: { partner: string }) {
  const [state, setState] = useState('');
  const live = useLive(
    () =>
      admin<{ deliveries: CallbackDelivery[] }>(
        `/callbacks${query({ partner: partner || undefined, state: state || undefined })}`,
      ),
    `${partner}|${state}`,
  );
  const deliveries = live.data?.deliveries ?? [];
  return (
    <>
      <h1>Callbacks</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          State
          <select value={state} onChange={(event) => setState(event.currentTarget.value)}>
            <option value="">any</option>
            <option value="pending">pending</option>
            <option value="delivered">delivered</option>
            <option value="failed">failed</option>
          </select>
        </label>
      </form>
      <ErrorNote error={live.error} />
      <p class="muted" aria-live="polite">
        {live.data ? `${deliveries.length} deliver${deliveries.length === 1 ? 'y' : 'ies'}` : 'Loading…'}
      </p>
      {deliveries.map((delivery) => (
        <Delivery
          key={delivery.webhookId}
          delivery={delivery}
          onChange={live.reload}
          showSubmission
          headingLevel={2}
        />
      ))}
    </>
  );
}
