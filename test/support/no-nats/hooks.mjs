export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@nats-io/')) throw new Error(`loaded ${specifier}`);
  return next(specifier, context);
}
