import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: a printed answer (a letter of the town hall) answers the citizen when it is posted,
 * not when it is written: the file's first response is then (ConversationWriter.letterPosted).
 * Files whose first response was set by writing such a letter get it again from their answers:
 * the earliest of the agents' other answers (written: sent at once) and of their letters posted
 * (at their posting); none when every letter still waits to be posted (the file is unanswered, its
 * response target counts again). The triggers recompute the due date and mark the files for the
 * reports' fold, which recounts them.
 */
export class LetterAnswerPosted1765108000000 implements MigrationInterface {
  name = 'LetterAnswerPosted1765108000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE conversation c SET first_response_at = (
          SELECT min(CASE WHEN ch.kind = 'letter' THEN (m.meta->>'postedAt')::timestamptz ELSE m.created_at END)
            FROM message m LEFT JOIN channel ch ON ch.id = m.channel_id
           WHERE m.conversation_id = c.id AND m.direction = 'outbound' AND m.kind IN ('message', 'call')
             AND m.author_agent_id IS NOT NULL AND (m.meta->>'acknowledgement') IS NULL)
       WHERE c.first_response_at IS NOT NULL
         AND EXISTS (SELECT 1 FROM message m JOIN channel ch ON ch.id = m.channel_id AND ch.kind = 'letter'
                      WHERE m.conversation_id = c.id AND m.direction = 'outbound' AND m.kind = 'message'
                        AND m.author_agent_id IS NOT NULL AND (m.meta->>'acknowledgement') IS NULL
                        AND m.created_at = c.first_response_at)`);
  }

  async down(): Promise<void> {
    // The times a letter was written are still its messages' own: nothing to give back.
  }
}
