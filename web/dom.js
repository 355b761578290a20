// The few DOM helpers every view uses. Data reaches the page through textContent only.

export const $ = (id) => document.getElementById(id);

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Writes only a text that differs, so an unchanged part of the page is not touched at all. */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
