/** The first n items of an async iterable; leaving the loop closes it, as a consumer's break does. */
export async function take<T>(items: AsyncIterable<T>, n: number): Promise<T[]> {
  const got: T[] = [];
  for await (const item of items) {
    got.push(item);
    if (got.length === n) break;
  }
  return got;
}
