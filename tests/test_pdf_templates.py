"""The template environment escapes everything and refuses names it does not know."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import UndefinedError

from reporter.render.jinja import breakable, environment


def test_values_are_escaped_and_unknown_names_fail_loudly(tmp_path: Path) -> None:
    (tmp_path / "t.html.j2").write_text("<p>{{ name }}</p>")
    (tmp_path / "u.html.j2").write_text("<p>{{ missing.attribute }}</p>")
    env = environment(tmp_path)
    html = env.get_template("t.html.j2").render(name="<script>alert('x')</script> & </style>")
    assert html == "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;/style&gt;</p>"
    with pytest.raises(UndefinedError):
        env.get_template("u.html.j2").render()


def test_breakable_escapes_then_offers_breaks_at_the_joints_of_domains() -> None:
    assert str(breakable("a.b@c-d")) == "a.<wbr>b@<wbr>c-<wbr>d"
    assert str(breakable("<b>x.y</b>")) == "&lt;b&gt;x.<wbr>y&lt;/<wbr>b&gt;"


def test_the_bundled_templates_compile() -> None:
    env = environment()
    for name in ("summary.html.j2", "customer.html.j2"):
        assert env.get_template(name)
