"""Backprop Lab's web service: exercises, grading, persistence, web pages, API and exports."""
from __future__ import annotations

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the Flask app. ``config`` overrides what the environment provides (tests use it)."""
    app = Flask(__name__, instance_relative_config=True)
    # JSON keeps the order it was built in: a submission's fields come in the exercise's order,
    # the order one computes them (SPEC §6), never alphabetically.
    app.json.sort_keys = False
    from exercises import allocator
    from exercises import config as config_module

    allocator.keep_freed_memory()  # traces reuse warm pages (see allocator): half a trace's time

    app.config.from_mapping(config_module.load(app.instance_path, config))

    from exercises import api, commands, db, errors, expiry, health, instructor, jobs, limits, logs, lti, security, web

    logs.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    limits.init_app(app)
    commands.init_app(app)
    expiry.init_app(app)
    security.init_app(app)
    health.init_app(app)
    app.register_blueprint(api.bp)
    web.init_app(app)
    instructor.init_app(app)
    jobs.init_app(app)
    lti.init_app(app)
    return app
