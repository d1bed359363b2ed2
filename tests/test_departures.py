"""The departures from the authors' code: declared once, named for real chapters, printed by each chapter they touch,
and what the declaration says of our side is what our code does."""

import jax
import numpy as np
from flax import nnx

from replication.data import augment
from replication.experiments import departures
from replication.experiments.configs import chapters
from replication.models.convnets import _Block
from replication.models.init import standard_normal


def test_every_departure_names_real_chapters_and_each_wrn_chapter_prints_its_own():
    for d in departures.DEPARTURES:
        assert d.chapters and set(d.chapters) <= set(chapters()), d.topic
        assert d.theirs and d.ours and d.effect
    note = departures.departures_note("wrn_cifar")
    assert note.startswith("Where these runs depart from the authors' code (google/autol2")
    assert "WRN shortcut" in note and "AutoL2's decay test" not in note
    assert "AutoL2's decay test" in departures.departures_note("autol2")
    assert departures.departures_note("fc_mnist") is None  # no authors' code for the FC setting
    table = departures.departures_table_html()
    assert table.count("<tr>") == len(departures.DEPARTURES) + 1


def test_our_side_of_the_shortcut_and_the_crop_is_what_the_code_does():
    block = _Block(4, 8, 2, nnx.Rngs(0), 2.0**0.5, "lax")
    assert block.shortcut.kernel.shape[:2] == (1, 1)  # a 1×1 convolution …
    x = standard_normal(jax.random.PRNGKey(0), (2, 8, 8, 4))
    h = jax.nn.relu(block.bn1(x))
    main = block.conv2(jax.nn.relu(block.bn2(block.conv1(h))))
    np.testing.assert_allclose(block(x), main + block.shortcut(h), rtol=1e-5, atol=1e-5)  # … of relu(bn(x))
    assert not np.allclose(block(x), main + block.shortcut(x), atol=1e-3)
    assert "1×1 convolution of relu(bn(x))" in departures.DEPARTURES[0].ours
    # crop offsets run over 0 … 2·pad (every window of the padded image): 9 offsets for pad 1
    image = np.arange(1, 17, dtype=np.float32).reshape(1, 4, 4, 1)
    corners = set()
    for k in range(300):
        out = np.asarray(augment.random_crop(jax.random.PRNGKey(k), image, pad=1))
        corners.add(tuple(int(v) for v in np.argwhere(image[0, ..., 0] == out[0, 1, 1, 0])[0]))
    assert corners == {(r, c) for r in range(3) for c in range(3)}
    assert "crop offsets 0 to 8" in departures.DEPARTURES[5].ours


def test_the_books_generated_tables_share_the_pages_width_over_the_themes_rule():
    import pytest

    from replication.core.html_table import fixed_table

    table = fixed_table("x", [("A", 40), ("B", 60)], [["1", "<b>2</b>"]], phone_min_rem=30)
    assert ".bd-content div.output table.x{table-layout:fixed;width:100%}" in table  # outranks the theme's auto
    assert "min-width:30rem" in table and '<col style="width:40%">' in table and "<td><b>2</b></td>" in table
    with pytest.raises(ValueError, match="every row of x must have 2 cells"):
        fixed_table("x", [("A", 40), ("B", 60)], [["1"]], phone_min_rem=30)
