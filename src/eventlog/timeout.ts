/**
 * Bounds a shutdown step. kafkajs' disconnect can wait indefinitely when a rebalance is in
 * flight (tulios/kafkajs#1462), and a process that is stopping must not hang on it.
 */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
