/** State kubedrs keeps on an object as a JSON annotation: read back whole, or not at all. */

interface AnnotationRead<T> {
  /** The value, when the annotation is there and has the expected shape. */
  readonly value?: T;
  /** Why an annotation that is there could not be read, naming it. */
  readonly error?: string;
}

export function readJsonAnnotation<T>(
  annotations: Readonly<Record<string, string>>,
  key: string,
  what: { readonly name: string; readonly is: (value: unknown) => value is T },
): AnnotationRead<T> {
  const text = annotations[key];
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (what.is(parsed)) return { value: parsed };
  } catch {
    // Reported below, as for JSON of the wrong shape.
  }
  return { error: `annotation ${key} is not ${what.name}: ${text.slice(0, 80)}` };
}
