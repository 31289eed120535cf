/** The common envelope of trigger events: `{"messages": [{"event_metadata": {...}, "details": {...}}]}`. */
export interface TriggerMessage {
  readonly event_metadata: { readonly event_type: string; readonly event_id?: string };
  readonly details: Readonly<Record<string, unknown>>;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTriggerMessage(value: unknown): value is TriggerMessage {
  return (
    isObject(value) &&
    isObject(value.event_metadata) &&
    typeof value.event_metadata.event_type === 'string' &&
    isObject(value.details)
  );
}

/** Whether the event is a batch of trigger messages, all of the given type. */
export function isTriggerEvent(
  event: unknown,
  eventType: string,
): event is { messages: TriggerMessage[] } {
  if (!isObject(event) || !Array.isArray(event.messages) || event.messages.length === 0) {
    return false;
  }
  return event.messages.every(
    (message) => isTriggerMessage(message) && message.event_metadata.event_type === eventType,
  );
}

export function stringField(record: Readonly<Record<string, unknown>>, key: string) {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}
