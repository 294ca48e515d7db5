"""Personal data: finding numbers in free text, masking, the leak gate on every output, the attachment scan."""
