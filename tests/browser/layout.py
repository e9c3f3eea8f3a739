"""Layout checks measured in the page: what overflows its box, what overlaps what.

``layout_problems(panel)`` walks every visible element of a rendered panel and reports
- an element whose box sticks out of the panel (runs off the right edge),
- text cut or spilling: ``scrollWidth > clientWidth`` (an ellipsis, a clipped label, text
  running out of its box), form controls excepted (their scroll size is their own),
- a visible element of a widget that sticks out of that widget's box,
- two leaf widgets (buttons, labels, HTML, checkboxes) whose boxes intersect.
"""

from __future__ import annotations

from playwright.sync_api import Locator

MEASURE = """
(root) => {
  const problems = [];
  const slack = 1.5;
  const visible = (el) => {
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const name = (el) => {
    const raw = typeof el.className === 'string' ? el.className.trim() : '';
    const cls = raw.split(/\\s+/).slice(0, 2).join('.');
    const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return `${el.tagName.toLowerCase()}${cls ? '.' + cls : ''} "${text}"`;
  };
  const inside = (r, box) =>
    r.left >= box.left - slack && r.right <= box.right + slack &&
    r.top >= box.top - slack && r.bottom <= box.bottom + slack;
  const rootBox = root.getBoundingClientRect();
  const formControl = new Set(['INPUT', 'SELECT', 'TEXTAREA', 'OPTION']);
  const all = [...root.querySelectorAll('*')].filter(
    (el) => visible(el) && !(el.parentElement && el.parentElement.closest('select')));
  for (const el of all) {
    const r = el.getBoundingClientRect();
    if (r.right > rootBox.right + slack || r.left < rootBox.left - slack) {
      const span = (b) => `[${Math.round(b.left)}..${Math.round(b.right)}]`;
      problems.push(`outside the panel: ${name(el)} ${span(r)} vs ${span(rootBox)}`);
    }
    if (!formControl.has(el.tagName) && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
      const cs = getComputedStyle(el);
      if (cs.display !== 'inline') {
        const sizes = `scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}`;
        problems.push(`text cut or spilling (${sizes}): ${name(el)}`);
      }
    }
    const widget = el.parentElement && el.parentElement.closest('.jupyter-widgets');
    if (widget && root.contains(widget) && !el.classList.contains('jupyter-widgets')) {
      if (!inside(r, widget.getBoundingClientRect())) {
        problems.push(`sticks out of its widget: ${name(el)} in ${name(widget)}`);
      }
    }
  }
  const leaves = all.filter((el) => el.classList.contains('jupyter-widgets') &&
    !el.querySelector('.jupyter-widgets'));
  for (let i = 0; i < leaves.length; i++) {
    const a = leaves[i].getBoundingClientRect();
    for (let j = i + 1; j < leaves.length; j++) {
      const b = leaves[j].getBoundingClientRect();
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > slack && h > slack) {
        problems.push(`overlap: ${name(leaves[i])} and ${name(leaves[j])}`);
      }
    }
  }
  return problems;
}
"""

ROW_HEIGHTS = """
(root) => [...root.querySelectorAll('.envnb-export-row')].map((row) => ({
  name: row.querySelector('b') ? row.querySelector('b').innerText : '',
  height: Math.round(row.getBoundingClientRect().height),
}))
"""


def layout_problems(panel: Locator) -> list[str]:
    """Everything in ``panel`` that overflows its box or overlaps another (see module doc)."""
    return list(panel.evaluate(MEASURE))


def export_row_heights(panel: Locator) -> list[tuple[str, int]]:
    """(name, height in px) of each ExportPanel row's main line."""
    return [(r["name"], r["height"]) for r in panel.evaluate(ROW_HEIGHTS)]
