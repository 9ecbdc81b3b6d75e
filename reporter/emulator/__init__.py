"""An emulator of Entra ID and the Graph partner security endpoints, over real HTTPS."""
