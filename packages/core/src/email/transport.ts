/**
 * Outgoing email is a pluggable transport. The default, {@link OutboxEmailTransport}, stores each
 * message in adm_email_outbox inside the caller's transaction (so an invitation and its email commit
 * together) and logs it; a deployment with a mail provider adds a transport that also delivers
 * (or a worker that sends outbox rows where sent_at is null).
 */
import type { Db } from "@fleetcore/db";

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /** What kind of email: "invitation", "password_reset"… */
  template: string;
  tenantId?: string | null;
}

export interface EmailTransport {
  /** Queues or sends `message`; `db` is the current transaction. */
  send(db: Db, message: EmailMessage): Promise<void>;
}

/** Minimal logger shape (pino's). */
export interface EmailLogger {
  info(obj: object, msg: string): void;
}

/** Writes to adm_email_outbox and logs recipient, subject and template (never the body: it holds tokens). */
export class OutboxEmailTransport implements EmailTransport {
  constructor(private readonly logger?: EmailLogger) {}

  async send(db: Db, message: EmailMessage): Promise<void> {
    // No RETURNING: a tenant may enqueue mail but not read the outbox back (RLS; bodies hold tokens).
    const id = crypto.randomUUID();
    await db.emailOutbox.createMany({
      data: {
        id,
        tenantId: message.tenantId ?? null,
        toEmail: message.to,
        subject: message.subject,
        textBody: message.text,
        template: message.template,
      },
    });
    this.logger?.info({ outboxId: id, to: message.to, template: message.template }, `email queued: ${message.subject}`);
  }
}
