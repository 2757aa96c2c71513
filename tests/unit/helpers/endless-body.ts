/**
 * A response body far larger than any cap (a gigabyte by default) that is produced only as it is
 * read, so a test can tell how much of it a reader pulled and whether it cancelled the rest.
 */
export function endlessBody(chunkBytes: number, chunks: number) {
  let produced = 0;
  let cancelled = false;
  const chunk = new Uint8Array(chunkBytes).fill(0x61);
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (produced >= chunkBytes * chunks) return controller.close();
        produced += chunkBytes;
        controller.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, produced: () => produced, cancelled: () => cancelled };
}
