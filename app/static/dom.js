// Building the page's elements, HTML or SVG, without innerHTML.

// An element with attributes and text, in the SVG namespace for SVG tags.
const SVG_TAGS = new Set(["svg", "g", "polyline", "circle", "text", "line", "rect"]);

export function element(tag, attributes = {}, text = "") {
  const node = SVG_TAGS.has(tag)
    ? document.createElementNS("http://www.w3.org/2000/svg", tag)
    : document.createElement(tag);
  Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
  if (text !== "") node.textContent = text;
  return node;
}
