"""Delivery tool: drives Jenkins, the Docker image, build reports and e-mail from outside."""
