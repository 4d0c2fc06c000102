import { LIMITS } from '@guichet/contracts';
import { z } from 'zod';

const commentId = z.string().regex(/^[0-9_]{1,100}$/, 'identifiant de commentaire invalide');

/** A public or private answer to a page comment, guarded by the conversation version seen. */
export const commentAnswerSchema = z.object({
  body: z.string().trim().min(1, 'le message est vide').max(Math.min(LIMITS.bodyChars, 8000)),
  version: z.number().int().min(1),
  /** Defaults to the citizen's latest comment in the conversation. */
  commentId: commentId.optional(),
});
export type CommentAnswerInput = z.infer<typeof commentAnswerSchema>;

export const hideCommentSchema = z.object({
  commentId: commentId.optional(),
  hidden: z.boolean().default(true),
});
export type HideCommentInput = z.infer<typeof hideCommentSchema>;

export interface CommentContextDto {
  commentId: string;
  postId: string | null;
  postText: string | null;
  permalink: string | null;
  hidden: boolean;
  /** Meta allows one private reply per comment, within 7 days. */
  privateReplyAvailable: boolean;
}
