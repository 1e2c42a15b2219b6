-- Which booking mails went out, so that each goes out once even with several server processes: a
-- process claims a row (INSERT … ON CONFLICT) before it sends, and only the one that got the row sends.
-- appointment_start is the start the mail was about: a reminder claimed for one day is claimed
-- again when the appointment moves to another.
CREATE TABLE IF NOT EXISTS booking_mail_sent (
  appointment_id text NOT NULL,
  kind text NOT NULL,
  appointment_start timestamptz NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (appointment_id, kind)
);
CREATE INDEX IF NOT EXISTS booking_mail_sent_start ON booking_mail_sent (appointment_start);
