// One batching policy for database reads and writes by key (dataloader): whatever is asked for while the event loop
// handles one round of I/O goes out together when that round ends (`setImmediate`: no timer delay), at most
// `maxBatchSize` keys a statement. Nothing is cached between batches, so every answer is as fresh as a single query.
import DataLoader from 'dataloader';

export function batchPerRound<K, V, C = K>(
  load: DataLoader.BatchLoadFn<K, V>,
  maxBatchSize = 200,
): DataLoader<K, V, C> {
  return new DataLoader<K, V, C>(load, { cache: false, maxBatchSize, batchScheduleFn: (run) => setImmediate(run) });
}
