"""The classification lab (MobileNet, SENet): CLI verbs and benchmark."""
