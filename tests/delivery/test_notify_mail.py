"""`focus-delivery notify`: the build summary by e-mail, against a real SMTP server (aiosmtpd)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from delivery import mail
from delivery.cli import cli

ROOT = Path(__file__).resolve().parents[2]

TITLE = "focus-meditation-agent #42 (master @ abc1234): SUCCESS"
PASSWORD = "mail-password-789"


@pytest.fixture
def sent(runner, report_args, smtp_server):
    """Send the summary of build #42 to two recipients; return (result, mailbox)."""
    result = runner.invoke(cli, ["notify", *report_args, "--to", "ops@focus.test",
                                 "--to", "lead@focus.test"])
    assert result.exit_code == 0, result.output
    return result, smtp_server


def test_notify_delivers_to_every_recipient(sent):
    _, mailbox = sent
    assert [e["to"] for e in mailbox.envelopes] == [["ops@focus.test", "lead@focus.test"]]


def test_notify_subject_is_the_summary_title(sent):
    assert sent[1].envelopes[0]["message"]["Subject"] == TITLE


def test_notify_sends_from_the_default_sender(sent):
    assert sent[1].envelopes[0]["from"] == "focus-delivery@localhost"


def test_notify_sends_a_text_and_an_html_part(sent):
    message = sent[1].envelopes[0]["message"]
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain", "text/html"]


def test_the_text_part_is_the_text_report(sent):
    text = sent[1].envelopes[0]["message"].get_body(("plain",)).get_content()
    assert text.splitlines()[0] == TITLE
    assert "Coverage: 93.4% of lines, 88.0% of branches" in text


def test_the_html_part_is_the_html_report(sent):
    page = sent[1].envelopes[0]["message"].get_body(("html",)).get_content()
    assert page.startswith("<!DOCTYPE html>")
    assert "<td>93.4% of lines, 88.0% of branches</td>" in page


def test_notify_says_what_it_sent(sent):
    result, _ = sent
    assert result.stdout.startswith(f'sent "{TITLE}" to ops@focus.test, lead@focus.test via ')


def test_recipients_default_to_admin_email(runner, report_args, smtp_server, monkeypatch):
    monkeypatch.setenv("ADMIN_EMAIL", "admin@focus.test, second@focus.test")
    result = runner.invoke(cli, ["notify", *report_args])
    assert result.exit_code == 0
    assert smtp_server.envelopes[0]["to"] == ["admin@focus.test", "second@focus.test"]


def test_no_recipients_is_a_clear_error(runner, report_args, smtp_server):
    result = runner.invoke(cli, ["notify", *report_args])
    assert result.exit_code == 1
    assert result.stderr == "error: no recipients: pass --to ADDRESS or set ADMIN_EMAIL\n"
    assert smtp_server.envelopes == []


@pytest.fixture
def login(monkeypatch):
    """Log in as mailer over STARTTLS (a login is never sent in clear)."""
    monkeypatch.setenv("SMTP_USER", "mailer")
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("SMTP_STARTTLS", "true")


def test_notify_logs_in_when_a_user_is_set(runner, report_args, tls_smtp_server, login):
    result = runner.invoke(cli, ["notify", *report_args, "--to", "ops@focus.test"])
    assert result.exit_code == 0, result.output
    assert tls_smtp_server.envelopes[0]["login"] == "mailer"


def test_a_refused_login_is_one_line(runner, report_args, tls_smtp_server, login, monkeypatch):
    monkeypatch.setenv("SMTP_PASSWORD", "wrong-password")
    result = runner.invoke(cli, ["notify", *report_args, "--to", "ops@focus.test"])
    assert result.exit_code == 1
    assert result.stderr == (f"error: SMTP server 127.0.0.1:{_port()} refused the login of "
                             "user 'mailer': check SMTP_USER and SMTP_PASSWORD\n")


def test_the_smtp_password_is_never_printed(runner, report_args, tls_smtp_server, login,
                                            monkeypatch):
    monkeypatch.setenv("SMTP_PASSWORD", "wrong-password")
    result = runner.invoke(cli, ["--verbose", "notify", *report_args, "--to", "ops@focus.test"])
    assert "Traceback" in result.stderr
    assert "wrong-password" not in result.output


def test_notify_refuses_to_send_the_login_in_clear(runner, report_args, smtp_server,
                                                   monkeypatch):
    """The server would accept AUTH on a plain connection; the password must not go there."""
    monkeypatch.setenv("SMTP_USER", "mailer")
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    result = runner.invoke(cli, ["notify", *report_args, "--to", "ops@focus.test"])
    assert result.exit_code == 1
    assert result.stderr == (f"error: refusing to send the SMTP password to 127.0.0.1:{_port()} "
                             "in clear: set SMTP_STARTTLS=true, or SMTP_SSL=true for SMTPS "
                             "(port 465)\n")
    assert smtp_server.envelopes == []


def test_smtps_delivers_over_implicit_tls(runner, report_args, smtps_server, monkeypatch):
    monkeypatch.setenv("SMTP_SSL", "true")
    result = runner.invoke(cli, ["notify", *report_args, "--to", "ops@focus.test"])
    assert result.exit_code == 0, result.output
    assert smtps_server.envelopes[0]["to"] == ["ops@focus.test"]


def test_smtps_logs_in(runner, report_args, smtps_server, monkeypatch):
    for name, value in (("SMTP_SSL", "true"), ("SMTP_USER", "mailer"),
                        ("SMTP_PASSWORD", PASSWORD)):
        monkeypatch.setenv(name, value)
    result = runner.invoke(cli, ["notify", *report_args, "--to", "ops@focus.test"])
    assert result.exit_code == 0, result.output
    assert smtps_server.envelopes[0]["login"] == "mailer"


def test_port_465_is_smtps_by_default(runner, report_args, monkeypatch):
    sent = []
    monkeypatch.setattr(mail, "send", lambda settings, message: sent.append(settings))
    runner.invoke(cli, ["notify", *report_args, "--to", "ops@focus.test", "--smtp-port", "465"])
    assert sent[0].implicit_tls and not sent[0].starttls


def test_starttls_and_smtps_together_are_refused(runner, report_args, monkeypatch):
    monkeypatch.setenv("SMTP_SSL", "true")
    monkeypatch.setenv("SMTP_STARTTLS", "true")
    result = runner.invoke(cli, ["notify", *report_args, "--to", "ops@focus.test"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: SMTP_STARTTLS and SMTP_SSL exclude each other")


def test_a_refused_recipient_is_one_line(runner, report_args, smtp_server):
    result = runner.invoke(cli, ["notify", *report_args, "--to", "nobody@refused.test"])
    assert result.exit_code == 1
    assert result.stderr == (f"error: SMTP server 127.0.0.1:{_port()} refused the recipients "
                             "nobody@refused.test\n")


def test_a_refused_message_is_one_line(runner, report_args, smtp_server):
    result = runner.invoke(cli, ["notify", *report_args, "--to", "ops@focus.test",
                                 "--from", "spam@refused.test"])
    assert result.exit_code == 1
    assert result.stderr == (f"error: SMTP server 127.0.0.1:{_port()} refused the message: "
                             "554 5.7.1 message rejected as spam\n")


def test_a_refused_connection_is_one_line(runner, report_args, free_port, monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port))
    result = runner.invoke(cli, ["notify", *report_args, "--to", "ops@focus.test"])
    assert result.exit_code == 1
    assert result.stderr == (f"error: cannot reach SMTP server 127.0.0.1:{free_port}: "
                             "Connection refused; check SMTP_HOST and SMTP_PORT\n")


def test_a_server_requiring_starttls_refuses_plain_text(runner, report_args, tls_smtp_server):
    result = runner.invoke(cli, ["notify", *report_args, "--to", "ops@focus.test"])
    assert result.exit_code == 1
    assert result.stderr == (f"error: SMTP server 127.0.0.1:{_port()} refused the sender "
                             "focus-delivery@localhost: 530 Must issue a STARTTLS command first\n")
    assert tls_smtp_server.envelopes == []


def test_starttls_delivers_over_tls(runner, report_args, tls_smtp_server, monkeypatch):
    monkeypatch.setenv("SMTP_STARTTLS", "true")
    result = runner.invoke(cli, ["notify", *report_args, "--to", "ops@focus.test"])
    assert result.exit_code == 0, result.output
    assert tls_smtp_server.envelopes[0]["to"] == ["ops@focus.test"]


def _port() -> str:
    """Return the SMTP_PORT the fixture set."""
    return os.environ["SMTP_PORT"]


def test_make_notify_mails_the_summary_with_build_result_to_admin_email(
        smtp_server, build_outputs, monkeypatch):
    """`make notify` (runners without the Email Extension plugin) runs focus-delivery notify."""
    monkeypatch.setenv("ADMIN_EMAIL", "admin@focus.test,second@focus.test")
    done = subprocess.run(
        ["make", "-s", "notify", "BUILD_RESULT=FAILURE", "BUILD_NUMBER=42", "BRANCH_NAME=dev",
         "GIT_COMMIT=abc1234def5678",
         f"IMAGE_RECORD={build_outputs['--image-record']}",
         f"ARTIFACTS={build_outputs['--model'].parent}"],
        cwd=ROOT, env=os.environ, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    envelope = smtp_server.envelopes[0]
    assert envelope["to"] == ["admin@focus.test", "second@focus.test"]
    assert envelope["message"]["Subject"] == "focus-meditation-agent #42 (dev @ abc1234): FAILURE"
