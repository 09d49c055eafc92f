"""The pages the gate serves itself, outside Dash: the sign-in page and the page of a refusal."""

from __future__ import annotations

import flask


def login_page(*, demo: bool, following: str, message: str = "", error: str = "", name: str = "") -> str:
    return flask.render_template_string(
        LOGIN_PAGE, demo=demo, following=following, message=message, error=error, name=name
    )


def message_page(message: str) -> str:
    return flask.render_template_string(MESSAGE_PAGE, message=message)


LOGIN_PAGE = """<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inloggen – Monitor plegeraanpak</title>
<link rel="stylesheet" href="/assets/style.css"><link rel="stylesheet" href="/assets/login.css">
</head>
<body>
<div class="page">
<header class="site-header"><p class="site-title">Monitor plegeraanpak</p></header>
{% if demo %}<p class="demo-banner" role="note">Demomodus: voorbeeldgegevens en demo-accounts,
niet voor echte gegevens. De accounts staan in het venster waarin de monitor is gestart.</p>{% endif %}
<main id="inhoud" class="login">
<h1>Inloggen</h1>
{% if message %}<p class="message" role="status">{{ message }}</p>{% endif %}
{% if error %}<p class="message error" role="alert" id="login-fout">{{ error }}</p>{% endif %}
<form method="post" action="/login" class="login-form">
<input type="hidden" name="volgende" value="{{ following }}">
<p><label for="naam">Gebruikersnaam</label>
<input id="naam" name="naam" autocomplete="username" required value="{{ name }}"
{% if error %}aria-describedby="login-fout" aria-invalid="true"{% endif %}></p>
<p><label for="wachtwoord">Wachtwoord</label>
<input id="wachtwoord" name="wachtwoord" type="password" autocomplete="current-password" required
{% if error %}aria-describedby="login-fout" aria-invalid="true"{% endif %}></p>
<p><button type="submit" class="button">Inloggen</button></p>
</form>
<p class="note">Geen account of wachtwoord vergeten? Vraag het de beheerder van de monitor in uw regio.</p>
</main>
</div>
</body>
</html>
"""

MESSAGE_PAGE = """<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Monitor plegeraanpak</title>
<link rel="stylesheet" href="/assets/style.css"></head>
<body><main id="inhoud"><h1>Niet verwerkt</h1><p class="message error">{{ message }}</p>
<p><a href="/">Terug naar de monitor</a></p></main></body></html>
"""
