"""The mood-after-meditation model: data contract, training, gate, artifact and predictor."""
