/**
 * Topic opening hours, as Chat's IsWithinOpeningHours asks for them.
 *
 * Placeholder until topics carry opening hours (issue 4): the store cannot yet tell whether a
 * topic exists or what its hours are, and a topic without hours is open, so every topic is
 * open. Fill this in there; the SOAP operation (src/http/soap/chat.ts) only calls this.
 */
export async function isTopicOpen(_topicId: number, _at: Date): Promise<boolean> {
  return true;
}
