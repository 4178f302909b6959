"""Student pages in the browser: home, practice, exercises with feedback and worked solutions,
problem sets (joining, the set's exercises under its rules), and the public trace tool. Views
parse requests, call service functions and render templates.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the student blueprints, Flask-Babel and the Jinja helpers the templates use."""
    from exercises.web import exercise_views, home, i18n, labels, my_practice, practice_views, sets, trace_tool, whatif

    i18n.init_app(app)
    app.jinja_env.globals["preset_titles"] = {key: title for key, (title, _text)
                                              in labels.PRESETS.items()}
    app.jinja_env.filters["translated_title"] = labels.translated_title
    app.register_blueprint(home.bp)
    app.register_blueprint(practice_views.bp)
    app.register_blueprint(exercise_views.bp)
    app.register_blueprint(trace_tool.bp)
    app.register_blueprint(my_practice.bp)
    app.register_blueprint(whatif.bp)
    app.register_blueprint(sets.bp)
