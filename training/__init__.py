"""Training pipeline: builds the data files and the model that mtdetect ships."""
